"""Is the edge up? One SIP OPTIONS request to its UDP port, as a phone would send."""

import asyncio
import contextlib
import secrets
import socket

from pbx.edge.config import EdgeSettings


def _options(s: EdgeSettings) -> bytes:
    return (
        f"OPTIONS sip:{s.engine_address}:{s.udp_port} SIP/2.0\r\n"
        f"Via: SIP/2.0/UDP {s.engine_address}:9;rport;branch=z9hG4bK{secrets.token_hex(8)}\r\n"
        f"From: <sip:probe@{s.engine_address}>;tag={secrets.token_hex(4)}\r\n"
        f"To: <sip:{s.engine_address}>\r\nCall-ID: {secrets.token_hex(12)}\r\n"
        "CSeq: 1 OPTIONS\r\nMax-Forwards: 2\r\nContent-Length: 0\r\n\r\n"
    ).encode()


async def answers_options(s: EdgeSettings, timeout_s: float = 0.2) -> bool:
    """True if the edge answers an OPTIONS request with 200 within `timeout_s`."""
    loop = asyncio.get_running_loop()
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.setblocking(False)
        # From loopback, so the request is never rate-limited or banned.
        sock.connect((s.engine_address if s.address == "0.0.0.0" else s.address, s.udp_port))
        with contextlib.suppress(ConnectionRefusedError, TimeoutError):
            await loop.sock_sendall(sock, _options(s))
            reply = await asyncio.wait_for(loop.sock_recv(sock, 4096), timeout_s)
            return reply.startswith(b"SIP/2.0 200")
    return False
