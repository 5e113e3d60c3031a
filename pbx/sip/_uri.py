"""Reads numbers and names out of SIP addresses and request lines."""

import re
from urllib.parse import unquote

# "Alice Smith" <sip:1001@host;transport=tcp>;tag=x  or  sip:1001@host
_NAME_ADDR = re.compile(
    r'^\s*(?:"(?P<quoted>(?:[^"\\]|\\.)*)"|(?P<token>[^<"]*?))\s*<(?P<uri>[^>]*)>'
)
_USER = re.compile(r"^(?:sips?|tel):(?P<user>[^@;>?]*)")


def uri_user(uri: str) -> str:
    """The user part of a SIP or tel URI: the number, for a phone."""
    match = _USER.match(uri.strip())
    return match.group("user") if match else ""


def split_name_addr(value: str) -> tuple[str, str]:
    """Split a From/To style value into (display name, URI)."""
    match = _NAME_ADDR.match(value)
    if not match:
        return "", value.strip()
    name = match.group("quoted")
    name = name.replace('\\"', '"') if name is not None else (match.group("token") or "").strip()
    return name, match.group("uri")


def request_uri(message: str) -> str:
    """The Request-URI of a SIP request's first line ('' if it is not a request)."""
    parts = message.split("\r\n", 1)[0].split(" ")
    return parts[1] if len(parts) == 3 and parts[2].startswith("SIP/") else ""


def header(message: str, name: str) -> str:
    """The first value of header `name` in a SIP message ('' if absent)."""
    head = message.split("\r\n\r\n", 1)[0]
    wanted = name.lower()
    for line in head.split("\r\n")[1:]:
        key, sep, value = line.partition(":")
        if sep and key.strip().lower() == wanted:
            return value.strip()
    return ""


def uri_headers(uri: str) -> dict[str, str]:
    """The headers a URI carries after its "?" (names in lower case, values unescaped).

    A Refer-To names the transfer target this way: <sip:1003@pbx?Replaces=...>.
    """
    _, _, query = uri.partition("?")
    headers = {}
    for field in query.split("&"):
        name, sep, value = field.partition("=")
        if sep and name:
            headers[unquote(name).strip().lower()] = unquote(value)
    return headers
