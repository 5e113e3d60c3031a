"""`callbox queue`, `agent`, `group` and `kpi`: the call center on the running daemon."""

import argparse
import json
import sys
from pathlib import Path

from firmware.control import RequestRefused, request

COMMANDS = ("queue", "agent", "group", "kpi")
_FIGURES = (
    ("offered", "offered"),
    ("answered", "answered"),
    ("abandoned", "abandoned"),
    ("short_abandoned", "short ab."),
    ("service_level", "SL"),
    ("service_level_abandons", "SL2"),
    ("asa_s", "ASA s"),
    ("aht_s", "AHT s"),
    ("longest_wait_s", "longest s"),
    ("fcr", "FCR"),
)


def _setting(text: str) -> tuple[str, object]:
    key, sep, value = text.partition("=")
    if not sep:
        raise argparse.ArgumentTypeError("KEY=VALUE, e.g. wrapup_s=15")
    try:
        return key.replace("-", "_"), json.loads(value)
    except ValueError:
        return key.replace("-", "_"), value


def _member(text: str) -> list:
    extension, _, penalty = text.partition(":")
    return [extension, int(penalty or 0)]


def _queue_parsers(actions: argparse._SubParsersAction) -> None:
    actions.add_parser("list", help="list the queues")
    for name, text in (("add", "add a queue"), ("set", "change a queue")):
        parser = actions.add_parser(name, help=text)
        parser.add_argument("name")
        parser.add_argument("--number", help="what office phones dial to reach it")
        parser.add_argument("--strategy")
        parser.add_argument(
            "--member", dest="members", type=_member, action="append", help="EXT[:PENALTY]"
        )
        parser.add_argument(
            "--set", dest="settings", type=_setting, action="append", help="KEY=VALUE (repeat)"
        )
    actions.add_parser("del", help="remove a queue").add_argument("name")
    watch = actions.add_parser("supervise", help="ring a supervisor into an agent's call")
    watch.add_argument("--supervisor", required=True)
    watch.add_argument("--agent", required=True)
    watch.add_argument("--mode", choices=("listen", "whisper", "barge"), default="listen")
    actions.add_parser("supervisions", help="the supervisions under way, with their modes")


def add_parsers(sub: argparse._SubParsersAction) -> None:
    """Register `queue`, `agent`, `group` and `kpi`."""
    _queue_parsers(sub.add_parser("queue", help="manage queues").add_subparsers(dest="action"))
    agent = sub.add_parser("agent", help="agents: log in, log out, pause").add_subparsers(
        dest="action", required=True
    )
    agent.add_parser("list", help="every agent and its state")
    for action in ("login", "logout", "pause", "unpause"):
        parser = agent.add_parser(action)
        parser.add_argument("extension")
        if action == "pause":
            parser.add_argument("--reason", default="")
    group = sub.add_parser("group", help="manage ring groups").add_subparsers(
        dest="action", required=True
    )
    group.add_parser("list", help="list the ring groups")
    put = group.add_parser("set", help="add or replace a ring group")
    put.add_argument("name")
    put.add_argument("--member", dest="members", action="append", required=True)
    put.add_argument("--number", default="")
    put.add_argument("--strategy", choices=("ring-all", "in-order"), default="ring-all")
    put.add_argument("--ring-timeout", dest="ring_timeout_s", type=int, default=20)
    put.add_argument("--no-answer", dest="no_answer_destination", default="")
    group.add_parser("del", help="remove a ring group").add_argument("name")
    kpi = sub.add_parser("kpi", help="queue KPIs (today, all queues, by default)")
    kpi.add_argument("--from", dest="start", default="", help="ISO time (default: midnight UTC)")
    kpi.add_argument("--to", dest="end", default="", help="ISO time (default: midnight next)")
    kpi.add_argument("--by", choices=("queue", "agent"), default="")
    kpi.add_argument("--interval", choices=("hour", "day"), default="")
    kpi.add_argument("--queue", default="")
    kpi.add_argument("--agent", default="")
    kpi.add_argument("--live", action="store_true", help="callers waiting and agents now")
    kpi.add_argument("--json", action="store_true", help="print JSON")


def _queue(args: argparse.Namespace, socket_path: Path) -> object:
    if args.action in (None, "list"):
        return request(socket_path, "queue.list")
    if args.action == "del":
        return request(socket_path, "queue.del", name=args.name)
    if args.action == "supervisions":
        return request(socket_path, "queue.supervisions")
    if args.action == "supervise":
        return request(
            socket_path,
            "queue.supervise",
            supervisor=args.supervisor,
            agent=args.agent,
            mode=args.mode,
        )
    values = dict(args.settings or [])
    for key in ("number", "strategy", "members"):
        if getattr(args, key) is not None:
            values[key] = getattr(args, key)
    return request(socket_path, f"queue.{args.action}", name=args.name, **values)


def _agent(args: argparse.Namespace, socket_path: Path) -> object:
    if args.action == "list":
        return request(socket_path, "agent.list")
    extra = {"reason": args.reason} if args.action == "pause" else {}
    return request(socket_path, f"agent.{args.action}", extension=args.extension, **extra)


def _group(args: argparse.Namespace, socket_path: Path) -> object:
    if args.action == "list":
        return request(socket_path, "group.list")
    if args.action == "del":
        return request(socket_path, "group.del", name=args.name)
    keys = ("name", "members", "number", "strategy", "ring_timeout_s", "no_answer_destination")
    values = {k: getattr(args, k) for k in keys}
    return request(socket_path, "group.set", **values)


def _kpi(args: argparse.Namespace, socket_path: Path) -> object:
    if args.live:
        return request(socket_path, "kpi.live")
    options = {k: getattr(args, k) for k in ("start", "end", "by", "interval", "queue", "agent")}
    rows = request(socket_path, "kpi", **{k: v for k, v in options.items() if v})
    if args.json:
        return rows
    _print_kpi(rows)
    return None


def _print_kpi(rows: list[dict]) -> None:
    print(f"{'from':<17} {'queue':<12} {'agent':<6} " + " ".join(f"{t:>9}" for _, t in _FIGURES))
    for row in rows:
        cells = []
        for key, _ in _FIGURES:
            value = row["figures"][key]
            if value is None:
                cells.append(f"{'-':>9}")
            elif key in ("service_level", "service_level_abandons", "fcr"):
                cells.append(f"{100 * value:>8.1f}%")
            else:
                cells.append(f"{value:>9.1f}" if isinstance(value, float) else f"{value:>9}")
        print(
            f"{row['start'][:16]:<17} {row['queue'] or '*':<12} {row['agent'] or '*':<6} "
            + " ".join(cells)
        )


def run(args: argparse.Namespace, socket_path: Path) -> int:
    """Carry out one of COMMANDS; returns the exit status."""
    handlers = {"queue": _queue, "agent": _agent, "group": _group, "kpi": _kpi}
    try:
        result = handlers[args.command](args, socket_path)
    except RequestRefused as err:
        print(f"callbox: {err}", file=sys.stderr)
        return 2
    except OSError as err:
        print(f"callbox: the daemon is not answering: {err}", file=sys.stderr)
        return 1
    if result is not None:
        print(json.dumps(result, indent=2))
    return 0
