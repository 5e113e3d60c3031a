"""Built-in test numbers a technician expects on any PBX: echo test and test tone."""

import logging
import math
import struct
import wave
from pathlib import Path

from pbx.calls import CallService, Leg

logger = logging.getLogger(__name__)

TEST_TONE_HZ = 1004  # the telephone test tone (the "milliwatt"), off any sampling sub-harmonic
_RATE_HZ = 8000
# 0 dBm0 in G.711 is 3.17 dB below a full-scale sine.
_TEST_TONE_PEAK = round(32767 * 10 ** (-3.17 / 20))


def write_test_tone(path: Path) -> None:
    """Write one second of the 1004 Hz test tone at 0 dBm0 (whole cycles: loops seamlessly)."""
    samples = (
        round(_TEST_TONE_PEAK * math.sin(2 * math.pi * TEST_TONE_HZ * n / _RATE_HZ))
        for n in range(_RATE_HZ)
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".part")
    with wave.open(str(partial), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(_RATE_HZ)
        out.writeframes(b"".join(struct.pack("<h", s) for s in samples))
    partial.replace(path)


class Diagnostics:
    """Answers the echo-test and test-tone numbers.

    The echo test returns the caller's own audio, so one call proves both
    directions of a phone's media path; the test tone lets a technician check
    levels and one-way audio with a meter or by ear.
    """

    def __init__(
        self, calls: CallService, echo_number: str, tone_number: str, tone_path: Path
    ) -> None:
        self._calls = calls
        self._echo_number = echo_number
        self._tone_number = tone_number
        self._tone_path = tone_path
        if not tone_path.exists():
            write_test_tone(tone_path)

    async def offer(self, leg: Leg) -> bool:
        """Claim and serve a leg dialling one of the test numbers."""
        if leg.dialled not in (self._echo_number, self._tone_number):
            return False
        await self._calls.answer(leg.leg_id)
        await self._calls.wait_media(leg.leg_id)
        if leg.dialled == self._echo_number:
            await self._calls.echo(leg.leg_id)
        else:
            await self._calls.play(leg.leg_id, str(self._tone_path), loop=True)
        return True
