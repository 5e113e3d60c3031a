"""A bare SIP client over UDP for security tests: exact requests, exact answers, any source."""

import hashlib
import re
import secrets
import socket
from dataclasses import dataclass


@dataclass
class Reply:
    """A SIP response, split into status and headers."""

    status: int
    reason: str
    headers: list[tuple[str, str]]

    def header(self, name: str) -> str:
        return next((v for k, v in self.headers if k.lower() == name.lower()), "")

    @classmethod
    def parse(cls, data: bytes) -> "Reply":
        head = data.decode(errors="replace").split("\r\n\r\n", 1)[0].split("\r\n")
        _, code, reason = head[0].split(" ", 2)
        headers = [(k.strip(), v.strip()) for k, _, v in (h.partition(":") for h in head[1:])]
        return cls(int(code), reason, headers)


def _md5(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()


class SipProbe:
    """One UDP socket bound to `source` (e.g. 127.0.0.2, to act as another host)."""

    def __init__(self, source: str, target: tuple[str, int], timeout_s: float = 1.0) -> None:
        self.target = target
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind((source, 0))
        self.sock.settimeout(timeout_s)
        self.local = self.sock.getsockname()
        self._cseq = 0

    def close(self) -> None:
        self.sock.close()

    def request(
        self, method: str, user: str, extra: str = "", user_agent: str = "probe", contact: str = ""
    ) -> Reply | None:
        """Send one request; the reply, or None if the box stayed silent."""
        self._cseq += 1
        host, port = self.local
        user = user or "probe"
        contact = contact or f"{host}:{port}"
        uri = f"sip:{self.target[0]}:{self.target[1]}"
        message = (
            f"{method} {uri} SIP/2.0\r\n"
            f"Via: SIP/2.0/UDP {host}:{port};rport;branch=z9hG4bK{secrets.token_hex(8)}\r\n"
            f"From: <sip:{user}@{self.target[0]}>;tag={secrets.token_hex(4)}\r\n"
            f"To: <sip:{user}@{self.target[0]}>\r\n"
            f"Call-ID: {secrets.token_hex(10)}@{host}\r\nCSeq: {self._cseq} {method}\r\n"
            f"Contact: <sip:{user}@{contact}>\r\nMax-Forwards: 70\r\n"
            f"User-Agent: {user_agent}\r\n{extra}Content-Length: 0\r\n\r\n"
        )
        self.sock.sendto(message.encode(), self.target)
        try:
            return Reply.parse(self.sock.recv(65535))
        except TimeoutError:
            return None

    def register(
        self, user: str, secret: str, contact: str = ""
    ) -> tuple[Reply | None, Reply | None]:
        """REGISTER (for `contact`, host:port, if given), then answer the challenge."""
        challenge = self.request("REGISTER", user, contact=contact)
        if challenge is None or challenge.status != 401:
            return challenge, None
        params = dict(re.findall(r'(\w+)="?([^",]*)"?', challenge.header("WWW-Authenticate")))
        uri = f"sip:{self.target[0]}:{self.target[1]}"
        cnonce, nc = secrets.token_hex(4), "00000001"
        ha1 = _md5(f"{user}:{params['realm']}:{secret}")
        ha2 = _md5(f"REGISTER:{uri}")
        response = _md5(f"{ha1}:{params['nonce']}:{nc}:{cnonce}:auth:{ha2}")
        authorization = (
            f'Authorization: Digest username="{user}", realm="{params["realm"]}", '
            f'nonce="{params["nonce"]}", uri="{uri}", response="{response}", '
            f'algorithm=MD5, cnonce="{cnonce}", qop=auth, nc={nc}\r\n'
        )
        return challenge, self.request("REGISTER", user, authorization, contact=contact)
