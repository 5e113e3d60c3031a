"""`callbox trunk` and `callbox route`: provider trunks and outbound routes, live."""

import argparse
import sys
from pathlib import Path

from firmware.control import exit_status, request
from firmware.ext_cli import PERMISSIONS

# (flag, setting, type) shared by `trunk add` and `trunk set`
_TRUNK_SETTINGS = (
    ("--host", "host", str),
    ("--transport", "transport", str),
    ("--username", "username", str),
    ("--auth-username", "auth_username", str),
    ("--domain", "domain", str),
    ("--from-user", "from_user", str),
    ("--caller-id", "caller_id", str),
    ("--number-format", "number_format", str),
    ("--max-channels", "max_channels", int),
)


def _on_off(text: str) -> bool:
    if text not in ("on", "off"):
        raise argparse.ArgumentTypeError("on or off")
    return text == "on"


def _did(text: str) -> tuple[str, str]:
    number, sep, destination = text.partition("=")
    if not sep:
        raise argparse.ArgumentTypeError("NUMBER=DESTINATION, e.g. 442071234567=ext:101")
    return number, destination


def _trunk_parsers(actions: argparse._SubParsersAction) -> None:
    actions.add_parser("list", help="list the trunks")
    add = actions.add_parser("add", help="add a trunk")
    change = actions.add_parser("set", help="change a trunk (DIDs and networks given replace all)")
    for parser in (add, change):
        parser.add_argument("name")
        for flag, dest, kind in _TRUNK_SETTINGS:
            parser.add_argument(
                flag, dest=dest, type=kind, required=flag == "--host" and parser is add
            )
        parser.add_argument("--register", type=_on_off, help="register with the provider: on|off")
        parser.add_argument("--enabled", type=_on_off, help="in service: on|off")
        parser.add_argument(
            "--did", dest="dids", type=_did, action="append", help="NUMBER=DESTINATION (repeat)"
        )
        parser.add_argument(
            "--inbound-network",
            dest="inbound_networks",
            action="append",
            help="another address or network the provider calls from (repeat)",
        )
        parser.add_argument(
            "--secret-stdin", action="store_true", help="read the provider secret from stdin"
        )
    actions.add_parser("del", help="remove a trunk").add_argument("name")


def _route_parsers(actions: argparse._SubParsersAction) -> None:
    actions.add_parser("list", help="list the outbound routes in the order they are tried")
    put = actions.add_parser("set", help="add or replace an outbound route")
    put.add_argument("name")
    put.add_argument("--pattern", dest="patterns", action="append", required=True)
    put.add_argument("--trunk", dest="trunks", action="append", required=True)
    put.add_argument("--strip", type=int, default=0)
    put.add_argument("--prepend", default="")
    put.add_argument("--permission", choices=PERMISSIONS, default="local")
    put.add_argument("--priority", type=int, default=100, help="lower is tried first")
    actions.add_parser("del", help="remove an outbound route").add_argument("name")


def add_parsers(sub: argparse._SubParsersAction) -> None:
    """Register `trunk` and `route` with their actions."""
    trunk = sub.add_parser("trunk", help="manage SIP trunks (phone company accounts)")
    _trunk_parsers(trunk.add_subparsers(dest="action", required=True))
    route = sub.add_parser("route", help="manage outbound routes")
    _route_parsers(route.add_subparsers(dest="action", required=True))


def _trunk_options(args: argparse.Namespace) -> dict:
    names = [dest for _, dest, _ in _TRUNK_SETTINGS] + ["register", "enabled", "inbound_networks"]
    options = {n: getattr(args, n) for n in names if getattr(args, n) is not None}
    if args.dids is not None:
        options["dids"] = dict(args.dids)
    if args.secret_stdin:
        options["secret"] = sys.stdin.readline().rstrip("\n")
    return options


def _print_trunks(rows: list[dict]) -> None:
    print(f"{'name':<16} {'host':<28} {'register':<9} {'enabled':<8} DIDs")
    for row in rows:
        dids = ", ".join(f"{n}->{d}" for n, d in row["dids"].items()) or "-"
        print(
            f"{row['name']:<16} {row['host']:<28} {'yes' if row['register'] else 'no':<9} "
            f"{'yes' if row['enabled'] else 'no':<8} {dids}"
        )


def _print_routes(rows: list[dict]) -> None:
    print(f"{'name':<16} {'patterns':<24} {'strip/prepend':<14} {'permission':<14} trunks")
    for row in rows:
        change = f"{row['strip']}/{row['prepend'] or '-'}"
        print(
            f"{row['name']:<16} {' '.join(row['patterns']):<24} {change:<14} "
            f"{row['permission']:<14} {' > '.join(row['trunks'])}"
        )


def _run_trunk(args: argparse.Namespace, socket_path: Path) -> None:
    if args.action == "list":
        _print_trunks(request(socket_path, "trunk.list"))
        return
    if args.action == "del":
        request(socket_path, "trunk.del", name=args.name)
        print(f"trunk {args.name} removed")
        return
    command = "trunk.add" if args.action == "add" else "trunk.set"
    result = request(socket_path, command, name=args.name, **_trunk_options(args))
    print(f"trunk {result['name']} {'added' if args.action == 'add' else 'changed'}")


def _run_route(args: argparse.Namespace, socket_path: Path) -> None:
    if args.action == "list":
        _print_routes(request(socket_path, "route.list"))
        return
    if args.action == "del":
        request(socket_path, "route.del", name=args.name)
        print(f"route {args.name} removed")
        return
    options = {k: getattr(args, k) for k in ("patterns", "trunks", "strip", "prepend")}
    options |= {"permission": args.permission, "priority": args.priority}
    result = request(socket_path, "route.set", name=args.name, **options)
    print(f"route {result['name']} set")


def run(args: argparse.Namespace, socket_path: Path) -> int:
    """Carry out `callbox trunk ...` or `callbox route ...`; returns the exit status."""
    runner = _run_trunk if args.command == "trunk" else _run_route
    return exit_status(lambda: runner(args, socket_path))
