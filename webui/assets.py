"""The panel's static assets, read once at start and served from memory by name.

Only the files listed here exist for the browser: no URL is ever turned into a
path, so nothing outside this list can be reached, whatever the request says.
"""

import hashlib
from pathlib import Path

from webui.handler import PanelHandler, Refused

STATIC_DIR = Path(__file__).with_name("static")
_TYPES = {
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".svg": "image/svg+xml",
}
ASSET_PATH = r"/static/(?P<name>[a-z0-9-]+\.(?:css|js|svg))"


def load_assets() -> dict[str, tuple[bytes, str, str]]:
    """Name -> (content, content type, ETag) of every asset shipped in webui/static."""
    assets = {}
    for path in sorted(STATIC_DIR.iterdir()):
        if path.suffix in _TYPES:
            content = path.read_bytes()
            assets[path.name] = (
                content,
                _TYPES[path.suffix],
                hashlib.sha256(content).hexdigest()[:16],
            )
    return assets


class StaticAsset(PanelHandler):
    """GET /static/<name>: one of the assets loaded at start, or 404."""

    def get(self, name: str) -> None:
        if name not in self.context.assets:
            raise Refused(404, "no such file")
        content, content_type, etag = self.context.assets[name]
        self.set_header("Content-Type", content_type)
        self.set_header("Cache-Control", "no-cache")  # revalidated by ETag
        self.set_header("Etag", f'"{etag}"')
        if self.check_etag_header():
            self.set_status(304)
            return
        self.finish(content)
