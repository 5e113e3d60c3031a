"""The phone-company line model on the emulated board, seen through the real Si3050 driver."""

import itertools
from dataclasses import replace

import numpy as np
import pytest
import pytest_asyncio

from board.dsp.alert_tone import AlertToneDetector
from board.dsp.busy_cadence import disconnect_detector
from board.dsp.caller_id import CallerId
from board.dsp.dtmf import DtmfGenerator
from board.dsp.dtmf_caller_id import DtmfCallerIdReceiver
from board.dsp.fsk import BELL_202, V23
from board.dsp.fsk_caller_id import FskCallerIdReceiver
from board.dsp.level import dbm0_of_power
from board.dsp.pcm import samples_of_ms
from board.emu.ear import Ear
from board.emu.far_end import FarEndError
from board.events import BatteryChanged, LineAlarm, PolarityChanged, RingChanged
from tests.dsp_signals import peak_freqs_hz
from tests.farend_box import Box

pytestmark = pytest.mark.asyncio

PAT = CallerId(number="5551234", name="Pat Caller", date_time="03141592")


@pytest_asyncio.fixture
async def box():
    return await Box().start()


def level_dbm0(samples: np.ndarray) -> float:
    return dbm0_of_power(float(np.mean(samples.astype(float) ** 2)))


def ring_edges_ms(box: Box, port: str) -> list[tuple[bool, float]]:
    return [(e.ringing, e.at_s * 1000) for e in box.events_of(RingChanged, port)]


def line_edges_ms(box: Box, port: str) -> list[tuple[bool, float]]:
    """Ringing on/off as the line put it on the wire (its own events)."""
    return [
        (e.kind == "ringing", e.at_s * 1000)
        for e in box.board.line(port).events
        if e.kind in ("ringing", "ring-off")
    ]


@pytest.mark.parametrize("country", ["US", "UK", "DE"])
async def test_rings_with_the_country_cadence_are_detected_by_the_driver(country):
    """Target 5: each burst detected within 200 ms of its start, and over within 150 ms."""
    box = await Box(country=country).start()
    box.events.clear()
    box.board.line("fxo2").ring()
    cadence = box.board.countries[country].ring.cadence_ms
    box.clock.advance_ms(2 * sum(cadence))
    sent, seen = line_edges_ms(box, "fxo2"), ring_edges_ms(box, "fxo2")
    assert [on for on, _ in seen] == [on for on, _ in sent][: len(seen)]
    assert len(seen) >= 2 * len(cadence) - 1
    for (on, sent_ms), (_, seen_ms) in zip(sent, seen, strict=False):
        assert 0 <= seen_ms - sent_ms <= (200 if on else 150)
    sent_on = [b - a for (on, a), (_, b) in itertools.pairwise(sent) if on]
    expected = list(cadence[::2]) * (len(sent_on) // len(cadence[::2]))
    assert sent_on == pytest.approx(expected, abs=0.01)


class Receivers:
    """The box's side of caller ID: what a channel runs on its FXO frames."""

    def __init__(self, standard):
        self.alert = AlertToneDetector()
        self.fsk = FskCallerIdReceiver(standard) if standard else None
        self.dtmf = DtmfCallerIdReceiver()
        self.callers: list[tuple[CallerId, float]] = []
        self.alerts_ms: list[float] = []  # where each alert tone began
        self.sound_ms: list[float] = []  # when each non-silent frame ended
        self.box: Box | None = None
        self.origin_ms = 0.0  # clock time of the first sample fed

    def __call__(self, frame):
        now_ms = self.box.now_ms()
        if len(frame) and np.abs(frame).max() > 100:
            self.sound_ms.append(now_ms)
        self.alerts_ms += [self.origin_ms + start_ms for start_ms in self.alert.feed(frame)]
        found = (self.fsk.feed(frame) if self.fsk else []) + self.dtmf.feed(frame)
        self.callers += [(caller, now_ms) for caller in found]


def listen(box: Box, port: str, receivers: Receivers, milliseconds: float) -> None:
    receivers.box, receivers.origin_ms = box, box.now_ms()
    box.listen_ms(port, milliseconds, receivers)


async def test_bell_202_caller_id_between_the_first_and_second_ring(box):
    """Bellcore: 500 ms or more after the first ring, done 200 ms or more before the second."""
    assert box.board.fxo("fxo1").on_hook_monitor, "the driver monitors the line on-hook"
    box.receive("fxo1")
    box.events.clear()
    box.board.line("fxo1").ring(PAT)
    receivers = Receivers(BELL_202)
    listen(box, "fxo1", receivers, 6500)
    rings = ring_edges_ms(box, "fxo1")
    assert [on for on, _ in rings] == [True, False, True]
    [(caller, decoded_ms)] = receivers.callers
    assert caller == PAT
    first_ring_end_ms = line_edges_ms(box, "fxo1")[1][1]
    second_ring_ms = line_edges_ms(box, "fxo1")[2][1]
    assert receivers.sound_ms[0] - 20 >= first_ring_end_ms + 500
    assert receivers.sound_ms[-1] <= second_ring_ms - 200
    assert first_ring_end_ms < decoded_ms < second_ring_ms
    assert [e.detail for e in box.board.line("fxo1").events if e.kind == "cid-sent"] == [
        '5551234 "Pat Caller"'
    ]


async def test_uk_caller_id_comes_before_the_first_ring_after_a_reversal_and_alert():
    """BT SIN227: reversal, >= 100 ms silence, alert, >= 45 ms, V.23 data, >= 200 ms, ring."""
    box = await Box(country="UK").start()
    box.receive("fxo3")
    box.events.clear()
    start_ms = box.now_ms()
    box.board.line("fxo3").ring(PAT)
    receivers = Receivers(V23)
    listen(box, "fxo3", receivers, 2000)
    [reversal] = box.events_of(PolarityChanged, "fxo3")
    assert reversal.reversed
    first_ring_ms = ring_edges_ms(box, "fxo3")[0][1]
    [(caller, decoded_ms)] = receivers.callers
    assert caller == PAT
    [alert_ms] = receivers.alerts_ms
    assert alert_ms >= start_ms + 100, "100 ms or more of silence after the reversal"
    assert decoded_ms < first_ring_ms - 200
    assert receivers.sound_ms[-1] <= first_ring_ms - 200


@pytest.mark.parametrize(("country", "standard"), [("DE", V23), ("AU", BELL_202)])
async def test_fsk_caller_id_after_the_first_ring_elsewhere(country, standard):
    box = await Box(country=country).start()
    box.events.clear()
    box.board.line("fxo2").ring(PAT)
    receivers = Receivers(standard)
    cadence = box.board.countries[country].ring.cadence_ms
    listen(box, "fxo2", receivers, sum(cadence) + 200)
    [(caller, decoded_ms)] = receivers.callers
    assert caller == PAT
    edges = line_edges_ms(box, "fxo2")
    first_cycle_over_ms = edges[len(cadence) - 1][1]
    assert first_cycle_over_ms < decoded_ms < edges[len(cadence)][1]


async def test_saudi_dtmf_caller_id_before_the_first_ring():
    box = await Box(country="SA").start()
    box.events.clear()
    box.board.line("fxo4").ring(CallerId(number="0501234567"))
    receivers = Receivers(None)
    listen(box, "fxo4", receivers, 2500)
    [(caller, decoded_ms)] = receivers.callers
    assert caller.number == "0501234567"
    assert decoded_ms < ring_edges_ms(box, "fxo4")[0][1]
    assert box.events_of(PolarityChanged, "fxo4")[0].reversed


async def test_withheld_caller_id_and_sdmf_decode(box):
    line = box.board.line("fxo1")
    line.ring(CallerId(date_time="01010000", number_absence="P"), sdmf=True, rings=2)
    receivers = Receivers(BELL_202)
    listen(box, "fxo1", receivers, 6500)
    [(caller, _)] = receivers.callers
    assert (caller.number, caller.number_absence) == (None, "P")


async def test_the_box_answering_stops_the_ringing_and_may_reverse_polarity(box):
    line, daa = box.board.line("fxo1"), box.board.fxo("fxo1")
    line.settings = replace(line.settings, reverse_on_answer=True)
    line.ring(PAT)
    box.run_ms(500)
    box.events.clear()
    box.ports.fxo["fxo1"].set_off_hook(True)
    box.clock.advance_ms(50)
    assert line.state == "connected"
    assert daa.ring_vrms == 0
    assert line.events[-1].kind == "answered"
    box.clock.advance_ms(5000)
    assert [e.kind for e in line.events][-1] == "answered", "no more rings"
    assert [e.reversed for e in box.events_of(PolarityChanged, "fxo1")] == [True]


async def test_a_caller_who_gives_up_leaves_the_line_idle(box):
    line = box.board.line("fxo2")
    line.ring(rings=2)
    box.run_ms(13_000)
    assert line.state == "idle"
    assert [e.kind for e in line.events if e.kind in ("ringing", "abandoned")] == [
        "ringing",
        "ringing",
        "abandoned",
    ]
    line.ring()
    line.stop()
    assert line.state == "idle"
    with pytest.raises(FarEndError, match="fxo2 is not ringing"):
        line.stop()


async def connect(box: Box, port: str) -> None:
    """An incoming call, answered by the box."""
    box.board.line(port).ring()
    box.run_ms(300)
    box.ports.fxo[port].set_off_hook(True)
    box.run_ms(500)
    assert box.board.line(port).state == "connected"


async def test_battery_denial_hang_up_is_seen_by_the_driver(box):
    """Target 8: denial of 80 ms or more reported within 250 ms."""
    await connect(box, "fxo2")
    box.board.line("fxo2").hang_up("battery", 600)
    events = box.run_ms(250)
    assert [(type(e), e.present) for e in events] == [(BatteryChanged, False)]
    events = box.run_ms(500)
    assert [(type(e), e.present) for e in events] == [(BatteryChanged, True)]


async def test_polarity_reversal_hang_up_is_seen_by_the_driver(box):
    """Target 8: polarity hang-up reported within 150 ms."""
    await connect(box, "fxo3")
    box.board.line("fxo3").hang_up("polarity")
    events = box.run_ms(150)
    assert [(type(e), e.reversed) for e in events] == [(PolarityChanged, True)]


@pytest.mark.parametrize("country", ["US", "UK", "DE", "FR"])
async def test_busy_tone_hang_up_is_recognised_in_the_audio(country):
    """Target 8: the box's busy detector names it within 4 cadences."""
    box = await Box(country=country).start()
    await connect(box, "fxo1")
    box.board.line("fxo1").play(None)
    box.receive("fxo1")
    box.board.line("fxo1").hang_up("busy")
    detector = disconnect_detector(box.board.countries[country])
    found = []
    period_ms = box.board.countries[country].tones["busy"].period_ms
    box.listen_ms("fxo1", 4 * period_ms + 100, lambda frame: found.extend(detector.feed(frame)))
    assert [match.kind for match in found][:1] == ["busy"]


async def test_silent_hang_up_leaves_only_silence(box):
    await connect(box, "fxo4")
    line = box.board.line("fxo4")
    line.play(box.board.countries["US"].tones["dial"])
    box.receive("fxo4")
    assert level_dbm0(box.listen_ms("fxo4", 200)) > -15
    box.events.clear()
    line.hang_up("silence")
    assert not np.any(box.listen_ms("fxo4", 2000))
    assert box.events == [], "no battery or polarity change: only the audio says it"
    box.ports.fxo["fxo4"].set_off_hook(False)
    box.run_ms(500)
    assert (line.state, line.events[-1].kind) == ("idle", "released")


async def test_a_short_break_is_not_a_release(box):
    await connect(box, "fxo1")
    box.ports.fxo["fxo1"].set_off_hook(False)
    box.run_ms(100)
    box.ports.fxo["fxo1"].set_off_hook(True)
    box.run_ms(1000)
    assert box.board.line("fxo1").state == "connected"


async def test_the_box_dialling_out_gets_dial_tone_then_is_answered(box):
    line, fxo = box.board.line("fxo2"), box.ports.fxo["fxo2"]
    line.settings = replace(line.settings, reverse_on_answer=True, answer_after_ms=2000)
    fxo.set_off_hook(True)
    box.receive("fxo2")
    ear = Ear(box.board.countries["US"])
    box.listen_ms("fxo2", 600, lambda frame: ear.listen(frame, box.clock.monotonic()))
    assert (line.state, ear.hearing().tone) == ("dialtone", "dial")
    box.events.clear()
    box.play_ms("fxo2", DtmfGenerator().render("1002"))
    assert line.dialled == "1002"
    box.listen_ms("fxo2", 3000 + 1000)
    assert [e.kind for e in line.events][-2:] == ["seized", "dialled"]
    assert peak_freqs_hz(box.listen_ms("fxo2", 500), 2) == pytest.approx([440, 480], abs=1)
    box.run_ms(1500)
    assert line.state == "connected"
    assert [(e.kind, e.detail) for e in line.events][-2:] == [
        ("dialled", "1002"),
        ("connected", ""),
    ]
    assert [e.reversed for e in box.events_of(PolarityChanged, "fxo2")] == [True]


@pytest.mark.parametrize("outcome", ["busy", "congestion"])
async def test_a_number_that_is_busy_or_congested(box, outcome):
    line, fxo = box.board.line("fxo3"), box.ports.fxo["fxo3"]
    line.settings = replace(line.settings, outcome=outcome)
    fxo.set_off_hook(True)
    box.run_ms(200)
    box.play_ms("fxo3", DtmfGenerator().render("911"))
    box.run_ms(3000)
    box.receive("fxo3")
    detector = disconnect_detector(box.board.countries["US"])
    found = []
    box.listen_ms("fxo3", 4500, lambda frame: found.extend(detector.feed(frame)))
    assert [match.kind for match in found][:1] == [outcome]
    with pytest.raises(FarEndError, match="no call ringing out"):
        line.answer()


async def test_audio_crosses_the_line_both_ways(box):
    await connect(box, "fxo1")
    line = box.board.line("fxo1")
    line.play(replace(box.board.countries["US"].tones["dial"], freqs_hz=(1004.0,), level_dbm0=-10))
    box.receive("fxo1")
    heard = box.listen_ms("fxo1", 500)
    assert peak_freqs_hz(heard, 1) == pytest.approx([1004.0], abs=1)
    assert level_dbm0(heard) == pytest.approx(-10.0, abs=0.5)
    box.play_ms("fxo1", DtmfGenerator(on_ms=500, off_ms=100).render("5"))
    assert line.hearing().digits == "5"
    box.play_ms("fxo1", np.rint(8000 * np.sin(2 * np.pi * 697 * np.arange(4000) / 8000)))
    assert line.hearing().has(697, tolerance_hz=2)


async def test_a_yanked_cable_takes_the_battery_away_until_plugged_in(box):
    line = box.board.line("fxo4")
    line.yank()
    events = box.run_ms(1300)
    assert [(type(e), getattr(e, "present", None)) for e in events] == [
        (BatteryChanged, False),
        (LineAlarm, None),
    ]
    with pytest.raises(FarEndError, match=r"fxo4 is not idle \(dead\)"):
        line.ring()
    line.plug()
    events = box.run_ms(300)
    assert [type(e) for e in events] == [BatteryChanged, LineAlarm]
    assert line.state == "idle"


async def test_line_noise_reaches_the_box_at_its_level(box):
    await connect(box, "fxo2")
    line = box.board.line("fxo2")
    line.voice.set_noise(-40.0)
    box.receive("fxo2")
    assert level_dbm0(box.listen_ms("fxo2", 1000)) == pytest.approx(-40.0, abs=1.0)
    line.voice.set_noise(None)
    box.listen_ms("fxo2", 40)
    assert not np.any(box.listen_ms("fxo2", 200))


async def test_unread_audio_is_dropped_beyond_the_backlog(box):
    await connect(box, "fxo3")
    box.board.line("fxo3").voice.set_noise(-30.0)
    box.run_ms(5000)
    assert len(box.receive("fxo3")) == samples_of_ms(box.board.line("fxo3").backlog_ms)
