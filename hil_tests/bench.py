"""The bench: what a hardware-in-loop rig does to the board's far ends, over the bench protocol.

A rig plays an analog phone on each FXS port and a phone-company line on each FXO port,
and measures what the board puts on the wires. The tests talk to it only through `Bench`,
which speaks the bench serial protocol (docs/bench-protocol.md): to a rig's controller on
a USB serial port, or to the emulated board's bench channel on a pty. The same test body
runs on both.
"""

from board.emu.bench_client import BenchClient
from board.emu.bench_protocol import BenchEvent
from board.profile import BoardProfile


class Bench:
    """The far ends of every port, addressed by the profile's port names ("fxs1", "fxo2")."""

    def __init__(self, client: BenchClient, profile: BoardProfile):
        self.client = client
        self.fault_injection = client.hello.get("faults") == "yes"
        self._addresses = {
            port.name: f"{side} {number}"
            for side, ports in (("fxs", profile.fxs), ("fxo", profile.fxo))
            for number, port in enumerate(ports, 1)
        }

    async def wait_ms(self, milliseconds: float) -> None:
        """Let time pass while the board runs (real time on a rig, emulated time here)."""
        await self.client.request(f"wait {round(milliseconds)}")

    async def at(self, port: str, command: str) -> dict[str, str]:
        """Send `command` to the far end of `port`: `await bench.at("fxs1", "dial 1002")`."""
        return await self.client.request(f"{self._addresses[port]} {command}")

    async def request(self, command: str) -> dict[str, str]:
        """A command that is not about one port (`status`, `fault board brown-out`)."""
        return await self.client.request(command)

    def events(self, kind: str, port: str) -> list[BenchEvent]:
        """The bench's events of `kind` about `port` so far."""
        side, number = self._addresses[port].split()
        return self.client.events_of(kind, side, int(number))

    # What tests ask most

    async def line_state(self, port: str) -> dict[str, str]:
        return await self.at(port, "line?")

    async def tip_ring_v(self, port: str) -> float:
        return float((await self.line_state(port))["tip-ring-v"])

    async def ringing(self, port: str) -> bool:
        return (await self.line_state(port))["ringing"] == "yes"

    async def fault(self, port: str, fault: str) -> None:
        await self.request(f"fault {self._addresses[port]} {fault}")
