"""The analog phone model on the emulated board, seen through the real Si3215 driver."""

import itertools
from dataclasses import replace

import numpy as np
import pytest
import pytest_asyncio

from board.dsp.alert_tone import alert_signal
from board.dsp.caller_id import CallerId, encode_mdmf
from board.dsp.dtmf import DtmfDetector, DtmfGenerator
from board.dsp.dtmf_caller_id import encode_dtmf_caller_id
from board.dsp.fsk import BELL_202, V23
from board.dsp.fsk_caller_id import fsk_spill
from board.dsp.level import dbm0_of_power
from board.dsp.pcm import samples_of_ms
from board.dsp.tones import Tone, render
from board.emu.far_end import FarEndError
from board.events import HookChanged, RingTripped
from board.hal import LineFeed, RingSignal
from tests.dsp_signals import peak_freqs_hz, run
from tests.farend_box import Box

pytestmark = pytest.mark.asyncio

PAT = CallerId(number="5551234", name="Pat Caller", date_time="03141592")


@pytest_asyncio.fixture
async def box():
    return await Box().start()


def hook_events(box: Box, port: str = "fxs1") -> list[tuple[bool, float]]:
    return [(e.off_hook, e.at_s * 1000) for e in box.events_of(HookChanged, port)]


def breaks_ms(hooks: list[tuple[bool, float]]) -> list[float]:
    """On-hook intervals (loop open) between the hook events the driver reported."""
    return [
        later[1] - earlier[1]
        for earlier, later in itertools.pairwise(hooks)
        if not earlier[0] and later[0]
    ]


# Receive classification of on-hook intervals (ms), hardware.md §3.3: DAHDI's defaults
# (North America), and European timed-break recall with its shorter dial pulses.
CLASSIFIERS = {
    "NA": (("pulse", 15, 200), ("flash", 201, 1250)),
    "EU": (("pulse", 15, 65), ("flash", 70, 125)),
}


def classify(break_ms: float, profile: str = "NA") -> str:
    for kind, low, high in CLASSIFIERS[profile]:
        if low <= break_ms <= high:
            return kind
    return "hang-up" if break_ms > 1250 else "invalid"


async def test_lifting_bounces_the_hook_switch_and_is_reported_once_within_50_ms(box):
    """Target 2: the contacts bounce, the chip debounces, off-hook reported within 50 ms."""
    slic, start_ms = box.board.fxs("fxs1"), box.now_ms()
    box.board.phone("fxs1").lift()
    seen = [slic.loop_closed]
    for _ in range(40):  # the first 10 ms, every 0.25 ms
        box.clock.advance_ms(0.25)
        seen.append(slic.loop_closed)
    assert sum(a != b for a, b in itertools.pairwise(seen)) >= 3, "the contacts bounced"
    assert seen[-1], "and settled closed"
    box.clock.advance_ms(40)
    # Once, 12.5 ms (the driver's debounce) after the contacts settled at 5 ms.
    assert [(on, at - start_ms) for on, at in hook_events(box)] == [
        (True, pytest.approx(17.5, abs=0.5))
    ]


async def test_dtmf_dialling_reaches_the_host_on_the_phone_timeslot(box):
    phone = box.board.phone("fxs2")
    phone.lift()
    box.run_ms(100)
    phone.dial("1002#*")
    heard = box.listen_ms("fxs2", 1200)
    assert [d.digit for d in run(DtmfDetector(), heard)] == list("1002#*")
    assert [(e.kind, e.detail) for e in phone.events if e.kind == "dialled"] == [
        ("dialled", "1002#*")
    ]


async def test_pulse_dialling_breaks_the_loop_as_the_driver_sees_it(box):
    """10 pps at 60/40: every break is a dial pulse to DAHDI's rules, grouped by digit."""
    phone = box.board.phone("fxs1")
    phone.lift()
    box.run_ms(100)
    box.events.clear()
    phone.dial("1002", pulse=True)
    box.clock.advance_ms(6000)
    hooks = hook_events(box)
    breaks = breaks_ms(hooks)
    assert len(breaks) == 1 + 10 + 10 + 2
    assert all(55 <= b <= 65 and classify(b) == "pulse" for b in breaks)
    makes = [b[1] - a[1] for a, b in itertools.pairwise(hooks) if a[0] and not b[0]]
    digits, count = [], 1
    for make in makes:
        if make > 300:  # the inter-digit pause
            digits.append(count)
            count = 1
        else:
            assert 35 <= make <= 45
            count += 1
    assert [*digits, count] == [1, 10, 10, 2]


@pytest.mark.parametrize(
    ("profile", "break_ms", "expected"),
    [("NA", ms, "pulse") for ms in (40, 60, 80)]
    + [("NA", ms, "flash") for ms in (300, 600, 1000)]
    + [("EU", ms, "pulse") for ms in (40, 60)]
    + [("EU", ms, "flash") for ms in (90, 100, 120)],
)
async def test_flash_and_pulse_breaks_are_told_apart_by_their_length(
    box, profile, break_ms, expected
):
    """Target 3: breaks land within 5 ms of what the phone made, so they classify right."""
    phone = box.board.phone("fxs3")
    phone.lift()
    box.run_ms(100)
    box.events.clear()
    if expected == "pulse":
        phone.settings = replace(
            phone.settings, pulse_break_ms=break_ms, pulse_make_ms=100 - break_ms
        )
        phone.dial("1", pulse=True)
    else:
        phone.flash(break_ms)
    box.clock.advance_ms(2000)
    [seen] = breaks_ms(hook_events(box, "fxs3"))
    assert seen == pytest.approx(break_ms, abs=5)
    assert classify(seen, profile) == expected
    assert phone.events[-1].kind == ("dialled" if expected == "pulse" else "flashed")


async def test_hanging_up_is_a_break_longer_than_any_flash(box):
    phone = box.board.phone("fxs1")
    phone.lift()
    box.run_ms(500)
    box.events.clear()
    phone.hang_up()
    box.clock.advance_ms(3000)
    assert [off_hook for off_hook, _ in hook_events(box)] == [False]
    phone.lift()
    box.clock.advance_ms(100)
    [seen] = breaks_ms(hook_events(box))
    assert seen == pytest.approx(3000, abs=5)
    assert classify(seen) == "hang-up"
    with pytest.raises(FarEndError, match="fxs1 is already off-hook"):
        phone.lift()


async def test_a_phone_on_hook_cannot_dial_or_flash(box):
    phone = box.board.phone("fxs4")
    with pytest.raises(FarEndError, match="fxs4 is on-hook: lift it before dialling 12"):
        phone.dial("12")
    with pytest.raises(FarEndError, match="on-hook"):
        phone.flash()
    phone.lift()
    with pytest.raises(FarEndError, match="cannot pulse-dial '1#'"):
        phone.dial("1#", pulse=True)


@pytest.mark.parametrize(
    ("frequency_hz", "cadence_ms"), [(20.0, (2000, 4000)), (25.0, (400, 200, 400, 2000))]
)
async def test_ringing_reaches_the_phone_with_its_cadence(box, frequency_hz, cadence_ms):
    """Target 4: the phone's ringer sees each burst within 10 % of the cadence."""
    phone = box.board.phone("fxs2")
    box.ports.fxs["fxs2"].start_ringing(RingSignal(frequency_hz, 70.0, cadence_ms))
    box.clock.advance_ms(2 * sum(cadence_ms) + 100)
    bursts = list(phone.rings)
    assert len(bursts) == len(cadence_ms) + 1  # two cycles' on times, and the next begun
    on_ms = [(b.end_s - b.start_s) * 1000 for b in bursts[:-1]]
    off_ms = [(b.start_s - a.end_s) * 1000 for a, b in itertools.pairwise(bursts)]
    assert on_ms == pytest.approx(list(cadence_ms[::2] * 2)[: len(on_ms)], rel=0.1)
    assert off_ms == pytest.approx(list(cadence_ms[1::2] * 2)[: len(off_ms)], rel=0.1)
    assert all(abs(b.frequency_hz - frequency_hz) <= 1 for b in bursts)
    assert phone.rings_this_call() == len(bursts)
    kinds = [e.kind for e in phone.events if e.kind in ("ringing", "ring-off")]
    assert kinds[:4] == ["ringing", "ring-off", "ringing", "ring-off"]


async def test_lifting_a_ringing_phone_trips_the_ring(box):
    phone = box.board.phone("fxs4")
    box.ports.fxs["fxs4"].start_ringing(RingSignal())
    box.run_ms(500)
    phone.lift()
    events = box.run_ms(100)
    assert [type(e) for e in events] == [RingTripped, HookChanged]
    assert not phone.ringing
    assert phone.events[-1].kind == "ring-off"


async def test_bell_202_caller_id_after_the_first_ring_is_shown(box):
    """As an FXS channel sends it: the first ring, on-hook transmission, the spill, ringing."""
    phone, port = box.board.phone("fxs1"), box.ports.fxs["fxs1"]
    port.set_feed(LineFeed.ON_HOOK_TRANSMISSION)
    port.start_ringing(RingSignal(cadence_ms=(2000, 4000)))
    box.run_ms(2000)
    port.stop_ringing()
    box.run_ms(600)
    box.play_ms("fxs1", fsk_spill(encode_mdmf(PAT), BELL_202))
    port.start_ringing(RingSignal(cadence_ms=(2000, 4000)))
    box.run_ms(1000)
    shown = phone.caller_id
    assert shown is not None
    assert (shown.caller, shown.method, shown.rings_before, shown.alerted) == (
        PAT,
        "bell202",
        1,
        False,
    )
    assert [e.detail for e in phone.events if e.kind == "cid"] == ['5551234 "Pat Caller"']
    assert phone.rings_this_call() == 2


async def test_caller_id_sent_while_ringing_voltage_is_on_never_arrives(box):
    phone = box.board.phone("fxs1")
    box.ports.fxs["fxs1"].start_ringing(RingSignal(cadence_ms=(2000, 4000)))
    box.run_ms(100)
    box.play_ms("fxs1", fsk_spill(encode_mdmf(PAT), BELL_202))
    assert phone.caller_id is None


async def test_uk_caller_id_before_the_first_ring_with_reversal_and_alert_is_shown():
    """BT SIN227: polarity reversal, alert tone, V.23 data, then ringing."""
    box = await Box(country="UK").start()
    phone, port = box.board.phone("fxs2"), box.ports.fxs["fxs2"]
    port.set_feed(LineFeed.ON_HOOK_TRANSMISSION)
    port.set_polarity(True)
    box.run_ms(150)
    silence = np.zeros(samples_of_ms(60), np.int16)
    spill = fsk_spill(encode_mdmf(PAT), V23, mark_bits=80)
    box.play_ms("fxs2", np.concatenate((alert_signal(), silence, spill)))
    port.start_ringing(RingSignal(25.0, 70.0, (400, 200, 400, 2000)))
    box.run_ms(1000)
    shown = phone.caller_id
    assert (shown.caller, shown.method, shown.rings_before, shown.alerted) == (PAT, "v23", 0, True)
    assert [(e.kind, e.detail) for e in phone.events if e.kind == "polarity"] == [
        ("polarity", "reversed")
    ]


async def test_saudi_dtmf_caller_id_before_the_first_ring_is_shown():
    box = await Box(country="SA").start()
    phone = box.board.phone("fxs3")
    box.ports.fxs["fxs3"].set_feed(LineFeed.ON_HOOK_TRANSMISSION)
    digits = encode_dtmf_caller_id(CallerId(number="0501234567"), "A...C")
    box.play_ms("fxs3", DtmfGenerator(on_ms=60, off_ms=60).render(digits))
    box.run_ms(200)
    shown = phone.caller_id
    assert (shown.caller.number, shown.method, shown.rings_before) == ("0501234567", "dtmf", 0)


@pytest.mark.parametrize(
    ("country", "kind"),
    [("US", "dial"), ("US", "busy"), ("US", "congestion"), ("UK", "busy"), ("DE", "dial")],
)
async def test_the_phone_names_the_call_progress_tone_it_hears(country, kind):
    box = await Box(country=country).start()
    phone = box.board.phone("fxs1")
    phone.lift()
    box.run_ms(100)
    tone = box.board.countries[country].tones[kind]
    box.play_ms("fxs1", render(tone, 4000))
    assert phone.hearing().tone == kind
    assert [h.kind for h in phone.ear.heard] == [kind] * len(phone.ear.heard)


async def test_the_phone_hears_a_1004_hz_test_tone_and_not_dial_tone(box):
    phone = box.board.phone("fxs1")
    phone.lift()
    box.run_ms(100)
    box.play_ms("fxs1", render(Tone((1004.0,), (), 0.0), 600))
    hearing = phone.hearing()
    assert hearing.has(1004, tolerance_hz=2)
    assert hearing.tone is None
    assert hearing.level_dbm0 == pytest.approx(0.0, abs=0.5)
    box.run_ms(200)
    assert phone.hearing().freqs_hz == ()


async def test_what_the_phone_says_reaches_the_host(box):
    phone = box.board.phone("fxs4")
    phone.lift()
    box.run_ms(100)
    box.receive("fxs4")
    phone.speak_tone((1004.0,), -10.0)
    heard = box.listen_ms("fxs4", 500)
    assert peak_freqs_hz(heard, 1)[0] == pytest.approx(1004.0, abs=1.0)
    assert dbm0_of_power(np.mean(heard.astype(float) ** 2)) == pytest.approx(-10.0, abs=0.5)
    phone.quiet()
    box.listen_ms("fxs4", 40)
    assert not np.any(box.listen_ms("fxs4", 200))
    phone.hang_up()
    box.listen_ms("fxs4", 100)
    assert len(box.listen_ms("fxs4", 200)) == 0, "an on-hook phone sends nothing"
