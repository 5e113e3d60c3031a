"""The System page's data as the page and the API show it, and what both take from a request."""

import dataclasses
import re
import zoneinfo

from webui.handler import PanelHandler, Refused

PEER_PATH_PART = r"(?P<peer>[A-Za-z0-9][A-Za-z0-9_-]{0,31})"
ERASE = "ERASE"  # typed to confirm a factory reset (the same in every language)
ZONES = sorted(zoneinfo.available_timezones())


def status_dict(status) -> dict:
    """A SystemStatus as JSON (the box's private keys are never in it)."""
    settings = dataclasses.asdict(status.settings)
    return {
        **settings,
        "now": status.now,
        "addresses": status.addresses,
        "vpn_public_key": status.vpn_public_key,
        "firmware": {
            "version": status.firmware_version,
            "board": status.board,
            "staged": dataclasses.asdict(status.staged_update) if status.staged_update else None,
        },
        "files": status.files,
    }


def peer_dict(new_peer) -> dict:
    """A peer just made: its settings, its client configuration (once) and the QR code (SVG)."""
    return {
        **dataclasses.asdict(new_peer.peer),
        "config": new_peer.config,
        "qr_svg": new_peer.qr_svg,
    }


def only(values: dict, allowed: tuple[str, ...]) -> dict:
    """`values` if it names nothing outside `allowed`; else a 400 naming what it does."""
    unknown = sorted(set(values) - set(allowed))
    if unknown:
        raise Refused(400, f"unknown setting(s): {', '.join(unknown)}")
    return values


def confirmed_erase(text: object) -> bool:
    return isinstance(text, str) and text.strip() == ERASE


async def send_file(handler: PanelHandler, path, filename: str) -> None:
    """Stream a file the service made (never a path from the request), then delete it."""
    if not re.fullmatch(r"[a-z0-9.-]+", filename):
        raise ValueError(filename)
    handler.set_header("Content-Type", "application/gzip")
    handler.set_header("Content-Disposition", f'attachment; filename="{filename}"')
    try:
        with path.open("rb") as source:
            while chunk := source.read(256 * 1024):
                handler.write(chunk)
                await handler.flush()
    finally:
        path.unlink(missing_ok=True)
    handler.finish()
