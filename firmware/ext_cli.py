"""`callbox ext`: add, list, change and remove extensions on the running daemon."""

import argparse
import sys
from pathlib import Path

from firmware.control import exit_status, request

_SETTINGS = (
    ("--name", "name", str),
    ("--permission", "permission", str),
    ("--max-calls", "max_calls", int),
    ("--caller-id-name", "caller_id_name", str),
    ("--caller-id-number", "caller_id_number", str),
    ("--recording", "recording", str),
)
PERMISSIONS = ("internal", "emergency", "local", "national", "international")
RECORDING = ("always", "never", "on-demand", "default")  # default: the box's recording policy


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Register `ext` and its actions."""
    ext = sub.add_parser("ext", help="manage extensions (phones)")
    actions = ext.add_subparsers(dest="action", required=True)
    actions.add_parser("list", help="list the extensions")
    add = actions.add_parser("add", help="add an extension; prints its secret once")
    add.add_argument("number")
    add.add_argument("--name", required=True)
    change = actions.add_parser("set", help="change an extension")
    change.add_argument("number")
    change.add_argument("--name")
    change.add_argument("--new-secret", action="store_true", help="make a new random secret")
    for parser in (add, change):
        for flag, dest, kind in _SETTINGS[1:]:
            choices = {"permission": PERMISSIONS, "recording": RECORDING}.get(dest)
            parser.add_argument(flag, dest=dest, type=kind, choices=choices)
        # Never on the command line, where `ps` shows it to every user.
        parser.add_argument(
            "--secret-stdin",
            action="store_true",
            help="read the secret from standard input instead of making one",
        )
    delete = actions.add_parser("del", help="remove an extension")
    delete.add_argument("number")


def _options(args: argparse.Namespace) -> dict:
    options = {
        dest: getattr(args, dest)
        for _, dest, _ in _SETTINGS
        if getattr(args, dest, None) is not None
    }
    if options.get("recording") == "default":
        options["recording"] = ""
    if args.secret_stdin:
        options["secret"] = sys.stdin.readline().rstrip("\n")
    if getattr(args, "new_secret", False):
        options["new_secret_wanted"] = True
    return options


def _print_table(rows: list[dict]) -> None:
    print(
        f"{'number':<8} {'name':<24} {'caller id':<32} {'permission':<13} {'max calls':<9} "
        "recording"
    )
    for row in rows:
        caller_id = f"{row['caller_id_name']} <{row['caller_id_number']}>"
        print(
            f"{row['number']:<8} {row['name']:<24} {caller_id:<32} {row['permission']:<13} "
            f"{row['max_calls']:<9} {row.get('recording') or 'default'}"
        )


def _run(args: argparse.Namespace, socket_path: Path) -> None:
    if args.action == "list":
        _print_table(request(socket_path, "ext.list"))
        return
    if args.action == "del":
        request(socket_path, "ext.del", number=args.number)
        print(f"extension {args.number} removed")
        return
    command = "ext.add" if args.action == "add" else "ext.set"
    result = request(socket_path, command, number=args.number, **_options(args))
    print(
        f"extension {result['number']} ({result['name']}) "
        f"{'added' if args.action == 'add' else 'changed'}"
    )
    if result.get("secret"):
        print(f"secret: {result['secret']}")
        print("(shown once: set it on the phone now)")


def run(args: argparse.Namespace, socket_path: Path) -> int:
    """Carry out `callbox ext ...`; returns the exit status."""
    return exit_status(lambda: _run(args, socket_path))
