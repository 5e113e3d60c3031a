"""What office phones dial for queues: queue and group numbers, agent and supervisor codes."""

import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from pbx.calls import CallService, Leg
from pbx.queues import QueueError
from pbx.queues.prompts import PromptPlayer, write_tone
from pbx.queues.service import QueueService
from pbx.queues.supervisor import SupervisorService
from pbx.sip import EngineError, LegGone

logger = logging.getLogger(__name__)
FORBIDDEN = 403
CONFIRM_HZ = 1400  # the beep that says "done"


@dataclass(frozen=True)
class FeatureCodes:
    """The codes agents and supervisors dial (pause and supervision take digits after)."""

    login: str = "*45"
    logout: str = "*46"
    pause: str = "*47"  # *47 pauses; *47<digits> pauses with the digits as the reason
    unpause: str = "*48"
    listen: str = "*80"  # *80<agent extension>
    whisper: str = "*81"
    barge: str = "*82"


class QueueDialling:
    """Claims calls from office phones to queue and group numbers and to the codes.

    An agent code is answered with a beep once done, and refused (403) when the
    phone is no agent; a supervision code connects to the agent's live queue call.
    """

    def __init__(
        self,
        calls: CallService,
        service: QueueService,
        *,
        supervisor: SupervisorService,
        player: PromptPlayer,
        route: Callable[[Leg, str], Awaitable[None]],
        codes: FeatureCodes,
        sounds_dir: Path,
    ) -> None:
        self._calls = calls
        self._service = service
        self._supervisor = supervisor
        self._player = player
        self._route = route
        self._codes = codes
        self._beep = sounds_dir / "queue-confirm.wav"
        if not self._beep.exists():
            write_tone(self._beep, CONFIRM_HZ, 0.4)

    async def offer(self, leg: Leg) -> bool:
        """Claim `leg` if it dials a queue or group number or a code, and serve it."""
        if not leg.extension or leg.trunk:
            return False
        if destination := self._service.queue_by_number(leg.dialled):
            await self._route(leg, destination)
            return True
        if action := self._agent_action(leg.extension, leg.dialled):
            await self._agent_code(leg, action)
            return True
        for mode in ("listen", "whisper", "barge"):
            prefix = getattr(self._codes, mode)
            if leg.dialled.startswith(prefix) and leg.dialled[len(prefix) :].isdigit():
                await self._supervisor.watch(leg, leg.dialled[len(prefix) :], mode)
                return True
        return False

    def _agent_action(self, extension: str, dialled: str) -> Callable[[], Awaitable] | None:
        c, service = self._codes, self._service
        actions = {
            c.login: lambda: service.log_in(extension),
            c.logout: lambda: service.log_out(extension),
            c.unpause: lambda: service.unpause(extension),
            c.pause: lambda: service.pause(extension, "break"),
        }
        if dialled in actions:
            return actions[dialled]
        reason = dialled[len(c.pause) :]
        if dialled.startswith(c.pause) and reason.isdigit():
            return lambda: service.pause(extension, f"code {reason}")
        return None

    async def _agent_code(self, leg: Leg, action: Callable[[], Awaitable]) -> None:
        try:
            await action()
        except QueueError as err:
            logger.info("code %s from %s refused: %s", leg.dialled, leg.extension, err)
            await self._calls.hangup(leg.leg_id, FORBIDDEN)
            return
        with contextlib.suppress(LegGone, EngineError):
            await self._calls.answer(leg.leg_id)
            await self._calls.wait_media(leg.leg_id)
            await self._player.play(leg.leg_id, [str(self._beep)])
            await self._calls.hangup(leg.leg_id)
