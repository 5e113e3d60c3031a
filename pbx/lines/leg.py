"""An analog call leg: its conference port and the events the rest of the PBX sees of it."""

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from board.dsp.country import Country
from board.hal import Clock
from pbx.background import BackgroundWork
from pbx.events import (
    CallAnswered,
    CallEnded,
    CallHeld,
    CallMediaReady,
    CallOffered,
    CallProgress,
    DtmfReceived,
    FlashTransferRequested,
    MediaStats,
)
from pbx.sip import EngineError, FrameQueues

logger = logging.getLogger(__name__)


class ConferencePorts(Protocol):
    """What analog legs need of the SIP engine (`pbx.sip.SipEngine` has it)."""

    def new_leg_id(self) -> int: ...

    async def add_analog_port(self, leg_id: int, name: str, queues: FrameQueues) -> None: ...

    async def remove_analog_port(self, leg_id: int) -> None: ...


@dataclass
class LineContext:
    """What the channels of one board share: its clock and country, the bus, the engine,
    and whether the PBX has a route for a call coming in on a line."""

    clock: Clock
    country: Country
    publish: Callable[[object], None]
    ports: ConferencePorts
    tasks: BackgroundWork = field(default_factory=lambda: BackgroundWork("analog line work"))
    # (line, caller's number) -> whether an inbound route takes the call, besides the
    # line's own destination; set once routing is wired.
    routed: Callable[[str, str], bool] = lambda _line, _caller: False


class AnalogLeg:
    """One call leg on an analog line.

    Its port on the conference bridge, with frame queues of its own, is opened
    first; events asked for before the port is there wait for it, so nobody hears
    of a leg they cannot yet bridge. Answer and end are reported once each, whatever
    asks twice. The line bridges the leg's `queues` to its audio while the leg is the
    one its phone or line is talking on.
    """

    def __init__(self, context: LineContext, leg_id: int, line: str) -> None:
        self._context = context
        self.leg_id = leg_id
        self.line = line
        self.queues = FrameQueues()
        self._waiting: list[object] | None = []  # events held until the port is open
        self.answered = False
        self.ended = False

    @classmethod
    def new(cls, context: LineContext, line: str) -> "AnalogLeg":
        """A leg the line starts (a phone dialled, a line rang), its port opening now."""
        leg = cls(context, context.ports.new_leg_id(), line)
        context.tasks.spawn(leg.open())
        return leg

    async def open(self) -> None:
        """Put the leg's port on the bridge, then send what waited for it."""
        try:
            await self._context.ports.add_analog_port(self.leg_id, self.line, self.queues)
        except EngineError as err:
            logger.error("%s: no conference port for leg %d: %s", self.line, self.leg_id, err)
        waiting, self._waiting = self._waiting or [], None
        for event in waiting:
            self._context.publish(event)

    def _publish(self, event: object) -> None:
        if self._waiting is None:
            self._context.publish(event)
        else:
            self._waiting.append(event)

    def offered(self, dialled: str, number: str, name: str, extension: str = "") -> None:
        """Offer the leg to the PBX: a phone dialled `dialled`, or a line rang."""
        remote = f"line:{self.line}"
        self._publish(
            CallOffered(self.leg_id, dialled, number, name, remote, extension, line=self.line)
        )

    def progress(self, status_code: int = 180, reason: str = "Ringing") -> None:
        self._publish(CallProgress(self.leg_id, status_code, reason))

    def answer(self) -> None:
        """The leg is answered and its audio flows."""
        if not (self.answered or self.ended):
            self.answered = True
            self._publish(CallAnswered(self.leg_id))
            self._publish(CallMediaReady(self.leg_id))

    def hold(self, held: bool) -> None:
        """The line put the call on hold (True) or took it back."""
        self._publish(CallHeld(self.leg_id, held))

    def hand_over(self, held: "AnalogLeg") -> None:
        """The phone hung up to transfer `held` to this leg, its consultation."""
        self._publish(FlashTransferRequested(held.leg_id, self.leg_id))

    def dtmf(self, digit: str) -> None:
        self._publish(DtmfReceived(self.leg_id, digit, "inband"))

    def end(self, status_code: int, reason: str) -> None:
        """The leg is over: report it, then take its port off the bridge."""
        if self.ended:
            return
        self.ended = True
        self._publish(CallEnded(self.leg_id, status_code, reason, MediaStats(codec="L16/8000")))
        self._context.tasks.spawn(self._close())

    async def _close(self) -> None:
        try:
            await self._context.ports.remove_analog_port(self.leg_id)
        except EngineError as err:  # the engine stopped first: nothing left to free
            logger.debug("%s: leg %d port: %s", self.line, self.leg_id, err)
