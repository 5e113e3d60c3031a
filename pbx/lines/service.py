"""The analog lines as the PBX sees them: legs it can place, answer, bridge and end, and
the state of every port."""

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass

from board.dsp.country import Country
from board.events import BoardEvent
from board.hal import FxoPort, FxsPort, PcmBus
from pbx import PbxError
from pbx.calls import LINE_SCHEME
from pbx.dial_plan import DialPlan
from pbx.events import LinesBusy
from pbx.lines import PortBusy
from pbx.lines.audio import AudioPump
from pbx.lines.fxo import FxoChannel, FxoState
from pbx.lines.fxs import FxsChannel
from pbx.lines.leg import AnalogLeg, LineContext
from pbx.lines.settings import FxoSettings, FxsSettings
from pbx.sip import EngineError, LegGone

logger = logging.getLogger(__name__)

_NAME_ADDR = re.compile(
    r'^\s*(?:"(?P<quoted>[^"]*)"|(?P<plain>[^<"]*?))\s*<sips?:(?P<user>[^@;>]*)'
)

Channel = FxsChannel | FxoChannel


@dataclass(frozen=True)
class PortStatus:
    """One analog port, for `callbox status` and the panels.

    `state` is idle, off-hook, ringing, in-call or alarm. The line's voltage (signed by
    polarity) and loop current are as the chip measures them now. An FXS port's
    `second_call` is "held" (a call on hold while the phone dials or talks),
    "waiting" (a call waiting), "transferring" (the phone hung up to transfer, and
    the box is connecting its held call), or "".
    """

    name: str
    kind: str  # "fxs" or "fxo"
    state: str
    loop_voltage_v: float
    loop_current_ma: float
    extension: str = ""  # an FXS port: whose phone it feeds
    second_call: str = ""  # an FXS port: held, waiting, transferring
    destination: str = ""  # an FXO port: where its calls in go
    group: str = ""  # an FXO port: the group outbound routes name


def _caller(from_uri: str) -> tuple[str, str]:
    """(number, name) of a From like '"Alice" <sip:1001@pbx>'."""
    match = _NAME_ADDR.match(from_uri)
    if match is None:
        return "", ""
    return match["user"], (match["quoted"] or match["plain"] or "").strip()


def _target(uri: str) -> tuple[str, dict[str, str]]:
    """The line and parameters of "line:fxo1;dial=5551234"."""
    name, *params = uri.removeprefix(LINE_SCHEME).split(";")
    return name, dict(p.partition("=")[::2] for p in params)


class LineService:
    """Every analog channel of the board, and the door the call service uses to reach them.

    It implements `pbx.calls.LegControl` for legs on analog lines, hands each board
    event to its port's channel, and moves every line's audio each 20 ms. Loop
    thread only.
    """

    def __init__(
        self,
        context: LineContext,
        pcm: PcmBus,
        fxs: dict[str, tuple[FxsPort, FxsSettings]],
        fxo: dict[str, tuple[FxoPort, FxoSettings]],
        dial_plan: DialPlan,
    ) -> None:
        self._context = context
        self._ports = {name: port for name, (port, _) in (*fxs.items(), *fxo.items())}
        self.channels: dict[str, Channel] = {}
        for name, (port, settings) in fxs.items():
            self.channels[name] = FxsChannel(context, port, pcm, settings, dial_plan)
        for name, (port, settings) in fxo.items():
            self.channels[name] = channel = FxoChannel(context, port, pcm, settings)
            channel.on_state = self._fxo_state_changed
        self._every_line_busy = False
        self._pump = AudioPump(context.clock, [c.audio for c in self.channels.values()])

    def _fxo_state_changed(self) -> None:
        """Publish LinesBusy when the last working FXO line is taken, or one frees up."""
        lines = [
            c for c in self.channels.values() if c.kind == "fxo" and c.state is not FxoState.ALARM
        ]
        every_busy = bool(lines) and all(line.busy for line in lines)
        if every_busy != self._every_line_busy:
            self._every_line_busy = every_busy
            self._context.publish(LinesBusy(every_busy))

    def start(self) -> None:
        for channel in self.channels.values():
            channel.start()
        self._pump.start()

    async def stop(self) -> None:
        """End every call on the lines and stop their audio."""
        await self.hangup_all()
        self._pump.stop()
        await self._context.tasks.settle()

    def handle_board_event(self, event: BoardEvent) -> None:
        """A board event from the monitor: to the port's channel."""
        channel = self.channels.get(event.port)
        if channel is None:
            return
        try:
            channel.handle(event)
        except Exception:  # dispatch boundary: one line's fault must not stop the monitor
            logger.exception("%s: handling %r failed", event.port, event)

    # --- what routing asks ------------------------------------------------------------------

    def line_of_extension(self, extension: str) -> str | None:
        """The "line:" URI of the FXS port feeding `extension`'s phone, if one does."""
        for channel in self.channels.values():
            if channel.kind == "fxs" and channel.settings.extension == extension:
                return f"{LINE_SCHEME}{channel.name}"
        return None

    def destination(self, line: str) -> str | None:
        """Where calls coming in on FXO line `line` go by its own setting ("ext:1001";
        "" if it has none); None if `line` is no FXO line."""
        channel = self.channels.get(line)
        if channel is None or channel.kind != "fxo":
            return None
        return channel.settings.destination

    def route_calls_in(self, routed: Callable[[str, str], bool]) -> None:
        """Let FXO lines answer the calls `routed(line, caller_number)` says a route takes."""
        self._context.routed = routed

    def groups(self) -> set[str]:
        """The FXO line groups outbound routes may name."""
        return {c.settings.group for c in self.channels.values() if c.kind == "fxo"}

    def free_lines(self, group: str) -> list[str]:
        """The lines of `group` free to call out now, in port order."""
        return [
            c.name
            for c in self.channels.values()
            if c.kind == "fxo" and c.settings.group == group and c.free
        ]

    def status(self) -> list[PortStatus]:
        """Every port's state, voltage and current."""
        return [self._status(channel) for channel in self.channels.values()]

    def _status(self, channel: Channel) -> PortStatus:
        port = self._ports[channel.name]
        if channel.kind == "fxs":
            extras = {"extension": channel.settings.extension, "second_call": channel.second.state}
        else:
            extras = {"destination": channel.settings.destination, "group": channel.settings.group}
        return PortStatus(
            channel.name,
            channel.kind,
            channel.port_state,
            round(float(port.line_voltage_v()), 1),
            round(port.loop_current_ma(), 1),
            **extras,
        )

    # --- the ports page ---------------------------------------------------------------------

    def _channel(self, name: str) -> Channel:
        channel = self.channels.get(name)
        if channel is None:
            raise PbxError(f"no analog port {name}")
        return channel

    def port_status(self, name: str) -> PortStatus:
        """One port's state, with its voltage and current read from the chip now."""
        return self._status(self._channel(name))

    def ring_test(self, name: str, duration_s: float) -> None:
        """Ring the phone on FXS port `name` for `duration_s`; PbxError unless it is idle."""
        channel = self._channel(name)
        if channel.kind != "fxs":
            raise PbxError(f"{name} is an FXO port: only FXS ports ring phones")
        channel.ring_test(duration_s)

    @property
    def country(self) -> Country:
        """The country the lines work to: tones, ring cadence, caller ID, hook timing."""
        return self._context.country

    def busy_ports(self) -> list[str]:
        """Ports with something going on: a call, ringing, a phone off-hook."""
        return [c.name for c in self.channels.values() if c.port_state not in ("idle", "alarm")]

    def set_country(self, country: Country) -> None:
        """Work to `country` from now on; PbxError while any port is busy."""
        if busy := self.busy_ports():
            raise PortBusy(f"ports in use ({', '.join(busy)}): change the country when idle")
        self._context.country = country
        for channel in self.channels.values():
            channel.apply_country()

    def configure(self, name: str, settings: FxsSettings | FxoSettings) -> None:
        """Give port `name` new settings (checked by the caller); calls up carry on."""
        channel = self._channel(name)
        if not isinstance(settings, type(channel.settings)):
            raise PbxError(f"{name} is an {channel.kind.upper()} port")
        channel.settings = settings

    # --- LegControl -------------------------------------------------------------------------

    def _leg(self, leg_id: int) -> tuple[Channel, AnalogLeg]:
        """The channel carrying leg `leg_id`, and the leg."""
        for channel in self.channels.values():
            for leg in channel.legs:
                if leg.leg_id == leg_id:
                    return channel, leg
        raise LegGone(leg_id)

    async def answer(self, leg_id: int, status_code: int = 200) -> None:
        channel, leg = self._leg(leg_id)
        channel.answer_leg(leg, status_code)

    async def hangup(self, leg_id: int, status_code: int = 0) -> None:
        channel, leg = self._leg(leg_id)
        channel.hangup_leg(leg, status_code)

    async def hangup_all(self) -> None:
        for channel in self.channels.values():
            for leg in channel.legs:
                channel.hangup_leg(leg, 0)

    async def place(
        self, leg_id: int, uri: str, headers: dict[str, str], from_uri: str, trunk: str
    ) -> None:
        """Ring an FXS phone ("line:fxs1"), or call out on an FXO line ("line:fxo1;dial=N")."""
        name, params = _target(uri)
        channel = self.channels.get(name)
        if channel is None:
            raise EngineError(f"no analog line {name}")
        leg = AnalogLeg(self._context, leg_id, name)
        await leg.open()
        if channel.kind == "fxs":
            channel.ring(leg, *_caller(from_uri))
        else:
            channel.dial(leg, params.get("dial", ""))

    async def send_dtmf(self, leg_id: int, digits: str, method: str = "rfc4733") -> None:
        channel, leg = self._leg(leg_id)
        channel.send_dtmf(leg, digits)
