"""/.well-known/security.txt (RFC 9116): where to report a vulnerability in this box.

ETSI EN 303 645 provision 5.2-1 asks for a published vulnerability disclosure
contact; security.txt is where researchers and scanners look for it.
"""

from datetime import UTC, datetime, timedelta

from webui.handler import PanelHandler
from webui.translations import LANGUAGES

# RFC 9116 2.5.5: Expires must be there, and is best less than a year ahead. The file
# is made at each request from the box's settings, so it never goes stale.
_VALID_FOR = timedelta(days=180)


class SecurityTxt(PanelHandler):
    """GET: the vulnerability disclosure contact, for anyone."""

    def get(self) -> None:
        today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
        expires = (today + _VALID_FOR).strftime("%Y-%m-%dT%H:%M:%SZ")
        lines = [
            f"Contact: {self.web.security_contact}",
            f"Expires: {expires}",
            f"Preferred-Languages: {', '.join(LANGUAGES)}",
            f"Canonical: {self.web.url}.well-known/security.txt",
        ]
        self.set_header("Content-Type", "text/plain; charset=utf-8")
        self.finish("\n".join(lines) + "\n")
