"""`callbox rec`: list call recordings and show the recording policy, on the running daemon."""

import argparse
import json
from pathlib import Path

from firmware.control import exit_status, request


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Register `rec` and its actions."""
    rec = sub.add_parser("rec", help="call recordings")
    actions = rec.add_subparsers(dest="action", required=True)
    listing = actions.add_parser("list", help="recordings of a call, or of a time range")
    listing.add_argument("--call", dest="call_uid", default="", help="the call's uid (its CDRs)")
    listing.add_argument("--since", default="", help="ISO 8601 time, UTC unless given")
    listing.add_argument("--until", default="", help="ISO 8601 time, UTC unless given")
    listing.add_argument("--json", action="store_true", help="print JSON")
    policy = actions.add_parser("policy", help="the default policy, or an extension's")
    policy.add_argument("--ext", dest="extension", default="", help="an extension number")


def _print_table(rows: list[dict]) -> None:
    print(f"{'started (UTC)':<20} {'seconds':>8} {'status':<18} {'caller':<14} {'callee':<10} file")
    for row in rows:
        seconds = row["duration_ms"] / 1000
        print(
            f"{row['started_at'][:19]:<20} {seconds:>8.1f} {row['status']:<18} "
            f"{row['caller']:<14} {row['callee']:<10} {row['file']}"
        )


def _run(args: argparse.Namespace, socket_path: Path) -> None:
    if args.action == "list":
        rows = request(
            socket_path, "rec.list", call_uid=args.call_uid, since=args.since, until=args.until
        )
        print(json.dumps(rows, indent=2)) if args.json else _print_table(rows)
    else:
        print(json.dumps(request(socket_path, "rec.policy", extension=args.extension), indent=2))


def run(args: argparse.Namespace, socket_path: Path) -> int:
    """Carry out `callbox rec ...`; returns the exit status."""
    return exit_status(lambda: _run(args, socket_path))
