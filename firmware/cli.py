"""The `callbox` command: run the daemon, ask it for status, check a configuration."""

import argparse
import asyncio
import faulthandler
import json
import os
import sys
from pathlib import Path

from firmware import call_center_cli, ext_cli, queue_cli, recording_cli, system_cli, trunk_cli
from firmware import config as config_mod
from firmware.config import ConfigError

EX_CONFIG = 78  # sysexits: systemd's unit does not restart on it (RestartPreventExitStatus)
EX_OSERR = 71  # sysexits: the system refused something the box needs (files, sockets)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="callbox", description=__doc__)
    parser.add_argument(
        "--config",
        type=Path,
        default=os.environ.get("CALLBOX_CONFIG"),
        help="TOML configuration (default: $CALLBOX_CONFIG, else built-in development defaults)",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("run", help="start the box and run until SIGTERM")
    sub.add_parser("status", help="show the running daemon's state")
    check = sub.add_parser("config", help="check the configuration or print the defaults")
    check.add_argument("action", choices=["check", "defaults"])
    bench = sub.add_parser(
        "bench", help="drive the emulated board's phones and lines: callbox bench fxs 1 offhook"
    )
    bench.add_argument("words", nargs="+", help="a bench command (see README, Analog lines)")
    ext_cli.add_parser(sub)
    trunk_cli.add_parsers(sub)
    call_center_cli.add_parsers(sub)
    recording_cli.add_parser(sub)
    queue_cli.add_parsers(sub)
    system_cli.add_parser(sub)
    return parser


def _run(cfg: config_mod.Config) -> int:
    # Imported here so `callbox status` and `config` start fast and need no pjsua2.
    from firmware.daemon import serve  # noqa: PLC0415
    from firmware.logs import start_logging  # noqa: PLC0415
    from pbx.edge.process import EdgeError  # noqa: PLC0415
    from pbx.sip import EngineError, ListenError  # noqa: PLC0415
    from webui.panel import ListenerTaken  # noqa: PLC0415

    listener = start_logging(cfg.daemon.log_level)
    # A crash in C (pjsip, the conference bridge) then leaves every thread's Python
    # stack on stderr: the journal under systemd, the test's log in the suite.
    faulthandler.enable()
    try:
        status = asyncio.run(serve(cfg))
    except ListenError as err:
        print(f"callbox: engine.sip_port: {err}", file=sys.stderr)
        return EX_CONFIG
    except ListenerTaken as err:
        print(f"callbox: {err.setting}: {err}", file=sys.stderr)
        return EX_CONFIG
    except EdgeError as err:
        print(f"callbox: {err.setting or 'edge'}: {err}", file=sys.stderr)
        return EX_CONFIG if err.setting else EX_OSERR
    except (OSError, EngineError) as err:
        print(f"callbox: cannot start: {err}", file=sys.stderr)
        return EX_OSERR
    finally:
        listener.stop()
    return status


def _status(cfg: config_mod.Config) -> int:
    from firmware.control import request  # noqa: PLC0415

    try:
        result = request(cfg.daemon.data_dir / "callbox.sock", "status")
    except OSError as err:
        print(f"callbox: the daemon is not answering: {err}", file=sys.stderr)
        return 1
    print(json.dumps(result, indent=2))
    return 0


def _bench(cfg: config_mod.Config, words: list[str]) -> int:
    from board.emu import bench_client  # noqa: PLC0415
    from firmware.control import request  # noqa: PLC0415

    try:
        path = request(cfg.daemon.data_dir / "callbox.sock", "status").get("bench")
    except OSError as err:
        print(f"callbox: the daemon is not answering: {err}", file=sys.stderr)
        return 1
    if not path:
        print("callbox: the daemon does not run on the emulated board", file=sys.stderr)
        return 2
    line = " ".join(f'"{w}"' if " " in w else w for w in words)
    return bench_client.main([path, line])


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `callbox` console script."""
    args = _parser().parse_args(argv)
    if args.command == "config" and args.action == "defaults":
        print(config_mod.defaults_toml())
        return 0
    try:
        cfg = config_mod.load(args.config)
    except ConfigError as err:
        print(f"callbox: {err}", file=sys.stderr)
        return EX_CONFIG
    socket_path = cfg.daemon.data_dir / "callbox.sock"
    commands = {
        "run": lambda: _run(cfg),
        "status": lambda: _status(cfg),
        "ext": lambda: ext_cli.run(args, socket_path),
        "trunk": lambda: trunk_cli.run(args, socket_path),
        "route": lambda: trunk_cli.run(args, socket_path),
        "bench": lambda: _bench(cfg, args.words),
        "rec": lambda: recording_cli.run(args, socket_path),
        "network": lambda: system_cli.run(args, cfg),
    }
    commands |= dict.fromkeys(
        call_center_cli.COMMANDS, lambda: call_center_cli.run(args, socket_path)
    )
    commands |= dict.fromkeys(queue_cli.COMMANDS, lambda: queue_cli.run(args, socket_path))
    if args.command in commands:
        return commands[args.command]()
    print(f"configuration OK ({args.config or 'built-in defaults'})")
    return 0
