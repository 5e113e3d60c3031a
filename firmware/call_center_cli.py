"""`callbox route-in`, `tc`, `ivr`, `announce`, `prompt` and `moh`: call flows, prompts, music.

The `set` options of the call-flow commands are made from the settings' own
fields and descriptions (pbx.catalog), so the CLI cannot drift from them.
"""

import argparse
import base64
import sys
import typing
from pathlib import Path

from firmware.control import RequestRefused, request
from pbx.announcements import Announcement
from pbx.catalog import field_docs
from pbx.inbound_routes import InboundRoute
from pbx.ivr_menu import IvrMenu
from pbx.time_conditions import TimeCondition

FLOWS = {
    "route-in": (InboundRoute, "inbound routes: which outside calls go where"),
    "tc": (TimeCondition, "time conditions: office hours, holidays, night mode"),
    "ivr": (IvrMenu, "IVR menus"),
    "announce": (Announcement, "announcements: prompts, then a destination"),
}
COMMANDS = (*FLOWS, "prompt", "moh")
CONVERSION_TIMEOUT_S = 180.0  # an upload is converted before the daemon answers


def _pair(text: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep and text:  # '' is allowed: it empties the map
        raise argparse.ArgumentTypeError("KEY=VALUE, e.g. 1=ext:1001")
    return key, value


def _flag(name: str, kind: object) -> str:
    """--option for `options` (a map or list given once per item), --timeout-s ..."""
    if typing.get_origin(kind) in (tuple, dict):
        name = name.removesuffix("s")
    return "--" + name.replace("_", "-")


def _add_setting_options(parser: argparse.ArgumentParser, cls: type) -> None:
    for name, kind, meaning in field_docs(cls):
        origin = typing.get_origin(kind)
        options: dict = {"dest": name, "help": meaning}
        if origin is tuple:
            options |= {"action": "append"}
        elif origin is dict:
            options |= {"action": "append", "type": _pair}
        else:
            options["type"] = kind
        parser.add_argument(_flag(name, kind), **options)


def _settings(args: argparse.Namespace, cls: type) -> dict:
    """The settings given on the command line; an empty item ('') empties a list."""
    given = {}
    for name, kind, _ in field_docs(cls):
        value = getattr(args, name)
        if value is None:
            continue
        if typing.get_origin(kind) is tuple:
            value = [item for item in value if item]
        elif typing.get_origin(kind) is dict:
            value = {key: item for key, item in value if key}
        given[name] = value
    return given


def _flow_parsers(sub: argparse._SubParsersAction, command: str) -> None:
    cls, meaning = FLOWS[command]
    actions = sub.add_parser(command, help=meaning).add_subparsers(dest="action", required=True)
    actions.add_parser("list", help="list them")
    put = actions.add_parser(
        "set", help="create one, or change the settings given (lists given replace the old)"
    )
    put.add_argument("name")
    _add_setting_options(put, cls)
    actions.add_parser("del", help="remove one (refused while in use)").add_argument("name")
    if command == "tc":
        night = actions.add_parser("night", help="night mode: on (closed), off (auto)")
        night.add_argument("name")
        night.add_argument("mode", choices=("on", "off", "open"), help="open: force open")
        check = actions.add_parser("check", help="what the condition decides now (or --at)")
        check.add_argument("name")
        check.add_argument("--at", help="a date and time, e.g. 2026-05-04T10:30+01:00")


def _media_parsers(sub: argparse._SubParsersAction) -> None:
    prompt = sub.add_parser("prompt", help="prompts: upload, type, speak numbers")
    actions = prompt.add_subparsers(dest="action", required=True)
    actions.add_parser("list", help="the box's own prompts, and the recorded languages")
    upload = actions.add_parser("upload", help="a recording in any common audio format")
    text = actions.add_parser("text", help="text spoken by espeak-ng")
    delete = actions.add_parser("del", help="remove a prompt (or one --language of it)")
    say = actions.add_parser("say", help="the files that say a number or a duration")
    for parser in (upload, text, delete):
        parser.add_argument("name")
    upload.add_argument("file", type=Path)
    text.add_argument("text")
    say.add_argument("what", choices=("number", "duration"))
    say.add_argument("value", type=int)
    for parser in (upload, text, delete, say):
        parser.add_argument("--language", default="", help="e.g. fr (default: the box's)")
    moh = sub.add_parser("moh", help="music-on-hold classes")
    actions = moh.add_subparsers(dest="action", required=True)
    actions.add_parser("list", help="the classes, their files and listeners")
    put = actions.add_parser("set", help="create a class or change its order")
    put.add_argument("name")
    put.add_argument("--order", choices=("ordered", "shuffled"), default="ordered")
    upload = actions.add_parser("upload", help="add music in any common audio format")
    upload.add_argument("name")
    upload.add_argument("file", type=Path)
    upload.add_argument("--title", help="title to show and sort by (default: the file's name)")
    remove = actions.add_parser("remove", help="take a file out of a class")
    remove.add_argument("name")
    remove.add_argument("file_id", help="the stored file, as `moh list` shows it")
    actions.add_parser("del", help="remove a class").add_argument("name")


def add_parsers(sub: argparse._SubParsersAction) -> None:
    """Register every call-center command."""
    for command in FLOWS:
        _flow_parsers(sub, command)
    _media_parsers(sub)


def _print_items(rows: list[dict]) -> None:
    for row in rows:
        shown = {k: v for k, v in row.items() if k != "name" and v not in ("", (), [], {})}
        print(row["name"], " ".join(f"{k}={_shown(v)}" for k, v in shown.items()))


def _shown(value: object) -> str:
    if isinstance(value, dict):
        return ",".join(f"{k}={v}" for k, v in value.items())
    if isinstance(value, list):
        return ",".join(map(str, value))
    return str(value)


def _run_flow(args: argparse.Namespace, socket_path: Path) -> None:
    kind, action = args.command, args.action
    if action == "list":
        _print_items(request(socket_path, f"{kind}.list"))
    elif action == "del":
        request(socket_path, f"{kind}.del", name=args.name)
        print(f"{kind} {args.name} removed")
    elif action == "set":
        request(socket_path, f"{kind}.set", name=args.name, **_settings(args, FLOWS[kind][0]))
        print(f"{kind} {args.name} set")
    elif action == "night":
        override = {"on": "closed", "off": "auto", "open": "open"}[args.mode]
        request(socket_path, "tc.override", name=args.name, override=override)
        print(f"{kind} {args.name}: {override}")
    else:
        state = request(socket_path, "tc.check", name=args.name, at=args.at)
        print(f"{'open' if state['open'] else 'closed'} ({state['why']}): {state['destination']}")


def _upload(path: Path) -> str:
    return base64.b64encode(path.read_bytes()).decode()


def _run_prompt(args: argparse.Namespace, socket_path: Path) -> None:
    action = args.action
    if action == "list":
        listing = request(socket_path, "prompt.list")
        for prompt in listing["prompts"]:
            print(prompt["name"], ", ".join(f"{k}: {v}" for k, v in prompt["languages"].items()))
        print("recorded languages:", ", ".join(listing["recorded_languages"]) or "none")
    elif action == "say":
        what = {"what": args.what, "value": args.value, "language": args.language}
        print("\n".join(request(socket_path, "prompt.say", **what)))
    elif action == "del":
        request(socket_path, "prompt.del", name=args.name, language=args.language)
        print(f"prompt {args.name} removed")
    else:
        content = {"data": _upload(args.file)} if action == "upload" else {"text": args.text}
        request(
            socket_path,
            f"prompt.{action}",
            timeout_s=CONVERSION_TIMEOUT_S,
            name=args.name,
            language=args.language,
            **content,
        )
        print(f"prompt {args.name} set")


def _run_moh(args: argparse.Namespace, socket_path: Path) -> None:
    action = args.action
    if action == "list":
        for music in request(socket_path, "moh.list"):
            print(f"{music['name']}: {music['order']}, {music['listeners']} listening")
            for file, title in sorted(music["files"].items(), key=lambda item: item[1]):
                print(f"  {file}  {title}")
    elif action == "set":
        request(socket_path, "moh.set", name=args.name, order=args.order)
        print(f"music class {args.name}: {args.order}")
    elif action == "upload":
        title = args.title or args.file.name
        result = request(
            socket_path,
            "moh.upload",
            timeout_s=CONVERSION_TIMEOUT_S,
            name=args.name,
            title=title,
            data=_upload(args.file),
        )
        print(f"added to {args.name} as {result['file']}")
    elif action == "remove":
        request(socket_path, "moh.remove", name=args.name, file=args.file_id)
        print(f"removed from {args.name}")
    else:
        request(socket_path, "moh.del", name=args.name)
        print(f"music class {args.name} removed")


def run(args: argparse.Namespace, socket_path: Path) -> int:
    """Carry out one call-center command; returns the exit status."""
    runner = {"prompt": _run_prompt, "moh": _run_moh}.get(args.command, _run_flow)
    try:
        runner(args, socket_path)
    except RequestRefused as err:
        print(f"callbox: {err}", file=sys.stderr)
        return 2
    except OSError as err:  # the daemon is not answering, or a file to upload is missing
        print(f"callbox: {err}", file=sys.stderr)
        return 1
    return 0
