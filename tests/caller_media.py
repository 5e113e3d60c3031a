"""The audio of the bench's SIPp callers: a UDP port per call that talks to the box (a
tone in G.711 A-law, 50 packets a second) and counts the RTP packets the box sends back.

SIPp cannot count per call what comes back: rtp_stream reads and drops it (one total for
the whole run), and play_pcap_audio in SIPp 3.6 is a thread and a raw socket per call,
each raw socket getting a copy of every UDP packet to the address, which at hundreds of
calls costs more than the box does. Here one thread serves every call: each 20 ms it
sends a packet on every live port, and every 100 ms it reads what each port received.

A port speaks only once it hears the box, to the address the box sends from (symmetric
RTP, as phones behind NAT are answered), and falls silent once the box has been quiet
for a second (the call has ended).
"""

import socket
import struct
import threading
import time
from dataclasses import dataclass

import numpy as np

from board.emu.companding import encode
from board.hal import PcmFormat

PACKETS_PER_S = 50  # 20 ms of audio each
_PACKET_S = 1 / PACKETS_PER_S
_SAMPLES = 160
_PCMA = 8
_TONE_HZ = 400  # 20 samples a cycle: a packet holds whole cycles, so every packet is alike
_QUIET_S = 1.0
_READ_EVERY_TICKS = 5  # every 100 ms: a socket holds seconds of packets, batches cost less
_HEADER = struct.Struct("!BBHII")


def _voice() -> bytes:
    phase = 2 * np.pi * _TONE_HZ * np.arange(_SAMPLES) / 8000
    return encode(np.rint(8000 * np.sin(phase)).astype(np.int16), PcmFormat.ALAW)


@dataclass
class PortCount:
    """What one caller's port sent and heard (times from time.monotonic)."""

    port: int
    received: int = 0
    sent: int = 0
    first_heard_s: float | None = None
    last_heard_s: float | None = None


class _Port:
    def __init__(self, host: str, port: int, voice: bytes) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind((host, port))
        self.sock.setblocking(False)
        self.count = PortCount(port)
        self.box: tuple[str, int] | None = None
        self.packet = bytearray(_HEADER.size) + voice
        self.seq = 0

    def read(self, buffer: bytearray, now_s: float) -> None:
        count = self.count
        while True:
            try:
                _, self.box = self.sock.recvfrom_into(buffer)
            except BlockingIOError:
                return
            count.received += 1
            count.last_heard_s = now_s
            if count.first_heard_s is None:
                count.first_heard_s = now_s

    def send(self, now_s: float) -> None:
        if self.box is None or now_s - self.count.last_heard_s > _QUIET_S:
            return
        self.seq += 1
        _HEADER.pack_into(
            self.packet, 0, 0x80, _PCMA, self.seq & 0xFFFF, self.seq * _SAMPLES, self.count.port
        )
        try:
            self.sock.sendto(self.packet, self.box)
            self.count.sent += 1
        except OSError:
            pass  # the box's port has gone with its call


class CallerMedia:
    """Ports `first_port`, `first_port + 2`, ... on `host`, one per call, served by a thread.

    Raises OSError at once if a port is taken.
    """

    def __init__(self, first_port: int, calls: int, host: str = "127.0.0.1") -> None:
        voice = _voice()
        self._ports: list[_Port] = []
        try:
            for index in range(calls):
                self._ports.append(_Port(host, self.port(first_port, index), voice))
        except OSError:
            self._close()
            raise
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="caller media", daemon=True)
        self.cpu_s = 0.0

    @staticmethod
    def port(first_port: int, index: int) -> int:
        """The RTP port of the `index`th call (RTCP would take the odd one after it)."""
        return first_port + 2 * index

    def start(self) -> "CallerMedia":
        self._thread.start()
        return self

    def stop(self) -> list[PortCount]:
        """Stop, close the ports and return their counts, in port order."""
        self._stop.set()
        self._thread.join(timeout=10)
        self._close()
        return [p.count for p in self._ports]

    def _close(self) -> None:
        for port in self._ports:
            port.sock.close()

    def _run(self) -> None:
        started_cpu_s = time.thread_time()
        buffer = bytearray(2048)
        tick = 0
        due_s = time.monotonic()
        while not self._stop.is_set():
            now_s = time.monotonic()
            if due_s > now_s:
                self._stop.wait(due_s - now_s)
                now_s = time.monotonic()
            # Behind by more than a few packets (the machine is busy): start afresh
            # rather than send a burst the box would take for a jitter spike.
            due_s = max(due_s + _PACKET_S, now_s - 4 * _PACKET_S)
            tick += 1
            if tick % _READ_EVERY_TICKS == 0:
                for port in self._ports:
                    port.read(buffer, now_s)
            for port in self._ports:
                port.send(now_s)
        for port in self._ports:
            port.read(buffer, time.monotonic())
        self.cpu_s = time.thread_time() - started_cpu_s
