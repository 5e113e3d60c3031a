"""Extensions as a destination for any caller, with ringback for callers already answered."""

import logging
import wave
from pathlib import Path

from board.dsp.country import load_countries
from board.dsp.pcm import SAMPLE_RATE_HZ
from board.dsp.tones import render
from pbx.calls import CallService, Leg
from pbx.dialer import CallRefused, ExtensionDialer
from pbx.prompt_player import PromptPlayer

logger = logging.getLogger(__name__)


def write_ringback(path: Path, country: str) -> None:
    """One cadence of `country`'s ringback tone ("UK", "US" ...) as a WAV that loops."""
    tone = load_countries()[country].tones["ringback"]
    samples = render(tone, tone.period_ms or 1000)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".part")
    with wave.open(str(partial), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(SAMPLE_RATE_HZ)
        out.writeframes(samples.astype("<i2").tobytes())
    partial.replace(path)


class ExtensionDestination:
    """Destination "ext:<number>" for callers in any state.

    A caller still ringing is handled by the dialer as before (it hears 180
    ringing). A caller a menu or announcement has answered cannot be sent a 180
    any more, so it hears the country's ringback tone, played in-band, while
    the extension rings. If the extension does not answer, is busy or does not
    exist, such a caller is hung up.
    """

    def __init__(
        self, calls: CallService, dialer: ExtensionDialer, player: PromptPlayer, ringback: Path
    ) -> None:
        self._calls = calls
        self._dialer = dialer
        self._player = player
        self._ringback = ringback

    async def ring(self, caller: Leg, number: str) -> None:
        """Connect `caller` to extension `number` and see the call through."""
        if caller.answered_at is None:
            await self._dialer.ring_extension(caller, number)
            return
        players: list[int] = []

        async def ringing() -> None:
            players.append(await self._player.loop(caller, str(self._ringback)))

        try:
            callee = await self._dialer.ring(caller, number, ringing)
        except CallRefused as refused:
            logger.info(
                "call %d: extension %s refused (%d)", caller.leg_id, number, refused.status_code
            )
            await self._calls.hangup(caller.leg_id)
            return
        finally:
            for player in players:
                await self._player.stop(player)
        await self._dialer.connect(caller, callee)
