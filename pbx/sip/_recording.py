"""Recorders on the conference bridge: WAV files that hear chosen legs. SIP thread only."""

import logging
from collections.abc import Callable, Sequence

import pjsua2 as pj

from pbx.sip.settings import RecorderFile

logger = logging.getLogger(__name__)

# What a leg hears right now: the conference ports sending to it, at their gains.
HeardBy = Callable[[int], list[tuple[pj.AudioMedia, float]]]


def transmit(source: pj.AudioMedia, sink: pj.AudioMedia, gain: float) -> None:
    """Connect two conference ports at `gain` (1.0 as it is)."""
    if gain == 1.0:
        source.startTransmit(sink)
        return
    param = pj.AudioMediaTransmitParam()
    param.level = gain
    source.startTransmit2(sink, param)


class PjRecorders:
    """Every recorder of the engine, and which legs each one hears.

    pjmedia's WAV writer (wav_writer.c) writes the header with zero sizes, then
    whole 20 ms frames through a 4000-byte buffer (250 ms at 8 kHz), and fixes
    the sizes only when the recorder is destroyed: a killed process leaves a
    file whose sizes the start-up repair takes from its length. While some leg
    is connected the bridge hands the recorder a frame every tick, silence
    included, so a file's length follows the time it was recording.
    """

    def __init__(self) -> None:
        # Strong references: a recorder is destroyed (and its file closed) on
        # this thread, when it leaves this table.
        self._recorders: dict[int, pj.AudioMediaRecorder] = {}
        self._links: set[tuple[int, int]] = set()  # (leg, recorder)
        self._ears: set[tuple[int, int]] = set()  # (leg whose incoming audio, recorder)

    def start(
        self,
        ids: Sequence[int],
        files: Sequence[RecorderFile],
        audio: Callable[[int], pj.AudioMedia],
        heard_by: HeardBy,
    ) -> None:
        """Create a recorder per file under `ids`, each hearing its legs and whatever
        its `hearing` legs hear now (`overhear` keeps that up as their sources change).

        The bridge applies port changes at its next tick, so recorders created
        in one command start together (within one 20 ms frame).
        """
        made: list[int] = []
        try:
            for recorder_id, file in zip(ids, files, strict=True):
                recorder = pj.AudioMediaRecorder()
                recorder.createRecorder(file.path)
                self._recorders[recorder_id] = recorder
                made.append(recorder_id)
            for recorder_id, file in zip(ids, files, strict=True):
                for leg_id in file.legs:
                    audio(leg_id).startTransmit(self._recorders[recorder_id])
                    self._links.add((leg_id, recorder_id))
                for leg_id in file.hearing:
                    self._ears.add((leg_id, recorder_id))
                    for source, gain in heard_by(leg_id):
                        transmit(source, self._recorders[recorder_id], gain)
        except BaseException:
            self.stop(made)
            raise

    def overhear(self, source: pj.AudioMedia, sink_leg: int, gain: float | None) -> None:
        """`source` started sending to `sink_leg` at `gain` (None: stopped): the
        recorders hearing what that leg hears hear it too, as loud."""
        for leg_id, recorder_id in self._ears:
            if leg_id != sink_leg:
                continue
            if gain is None:
                source.stopTransmit(self._recorders[recorder_id])
            else:
                transmit(source, self._recorders[recorder_id], gain)

    def stop(self, ids: Sequence[int]) -> None:
        """Destroy recorders: the bridge drops their ports, then each file is closed."""
        for recorder_id in ids:
            self._links = {link for link in self._links if link[1] != recorder_id}
            self._ears = {ear for ear in self._ears if ear[1] != recorder_id}
            self._recorders.pop(recorder_id, None)

    def relink(self, leg_id: int, audio: pj.AudioMedia) -> None:
        """A leg got a new conference port (re-INVITE): let its recorders hear it again."""
        for leg, recorder_id in [link for link in self._links if link[0] == leg_id]:
            audio.startTransmit(self._recorders[recorder_id])
            logger.debug("leg %d reconnected to recorder %d", leg, recorder_id)

    def forget_leg(self, leg_id: int) -> None:
        """A leg has gone; its recorders stay until stopped (they write nothing more)."""
        self._links = {link for link in self._links if link[0] != leg_id}
        self._ears = {ear for ear in self._ears if ear[0] != leg_id}

    def clear(self) -> None:
        """Destroy every recorder (the engine is stopping): each file is closed whole."""
        self.stop(list(self._recorders))
