"""Call-progress tones per country (hardware.md 5): the data, the rendered frequencies and
cadences, and busy/congestion recognition for disconnect supervision (3.4, target 8)."""

import numpy as np
import pytest

from board.dsp.busy_cadence import CadenceDetector, disconnect_detector
from board.dsp.country import COUNTRIES_FILE, TONE_KINDS, CountryDataError, load_countries
from board.dsp.level import ZERO_DBM0_PEAK, dbm0_of_power, peak_of_dbm0, power_of_dbm0
from board.dsp.pcm import samples_of_ms, to_bytes
from board.dsp.tones import Tone, ToneGenerator, render
from tests.dsp_signals import on_off_runs_ms, peak_freqs_hz, run, with_noise

COUNTRIES = load_countries()
REQUIRED = ("US", "UK", "DE", "FR", "AU", "AE", "SA", "EG", "IR")


def test_zero_dbm0_is_the_g711_digital_milliwatt():
    assert pytest.approx(32767 * 10 ** (-3.14 / 20)) == ZERO_DBM0_PEAK
    assert peak_of_dbm0(3.14) == pytest.approx(32767)
    assert dbm0_of_power(power_of_dbm0(-23.5)) == pytest.approx(-23.5)


def test_every_required_country_has_every_tone():
    assert set(REQUIRED) <= set(COUNTRIES)
    for country in COUNTRIES.values():
        assert set(country.tones) == set(TONE_KINDS)
        assert country.ring.cadence_ms


def test_fallbacks_are_flagged_as_unverified():
    for code in ("EG", "IR"):
        assert set(COUNTRIES[code].unverified) == {*TONE_KINDS, "ring", "caller_id"}
    assert set(COUNTRIES["SA"].unverified) == {*TONE_KINDS, "ring"}
    assert COUNTRIES["SA"].caller_id.dtmf_form == "A...C"
    assert COUNTRIES["US"].unverified == []
    assert COUNTRIES["UK"].caller_id.standard == "v23"


@pytest.mark.parametrize(
    ("good", "bad", "complaint"),
    [
        ("cadence_ms = [500, 500]", "cadence_ms = [500]", "cadence_ms"),
        ("freqs_hz = [480, 620]", "freqs_hz = [480, 6200]", "freqs_hz"),
        ('standard = "bell202"', 'standard = "bell103"', "caller ID"),
        ("busy = -24.0", "", "levels_dbm0: missing busy"),
        ("call_waiting = { freqs_hz = [440], cadence_ms = [300, 10000] }", "", "US: missing"),
    ],
)
def test_bad_country_data_is_refused(tmp_path, good, bad, complaint):
    text = COUNTRIES_FILE.read_text()
    assert good in text
    path = tmp_path / "countries.toml"
    path.write_text(text.replace(good, bad, 1))
    with pytest.raises(CountryDataError, match=complaint):
        load_countries(path)


def _tones():
    return [
        pytest.param(country.tones[kind], id=f"{code}-{kind}")
        for code, country in COUNTRIES.items()
        for kind in TONE_KINDS
    ]


@pytest.mark.parametrize("tone", _tones())
def test_tone_renders_its_frequencies_and_level(tone):
    on_ms = tone.cadence_ms[0] if tone.cadence_ms else 1000
    samples = render(tone, on_ms).astype(float)
    measured = peak_freqs_hz(samples, len(tone.freqs_hz))
    assert measured == pytest.approx(sorted(tone.freqs_hz), abs=0.5)
    expected_power = len(tone.freqs_hz) * power_of_dbm0(tone.level_dbm0)
    assert np.mean(samples**2) == pytest.approx(expected_power, rel=0.05)


@pytest.mark.parametrize("tone", _tones())
def test_tone_renders_its_cadence(tone):
    cycles = 2
    samples = render(tone, max(cycles * tone.period_ms, 500))
    runs = on_off_runs_ms(samples)
    if not tone.cadence_ms:
        assert runs == [(True, 500.0)]
        return
    expected = [(i % 2 == 0, float(ms)) for i, ms in enumerate(tone.cadence_ms)] * cycles
    # Each on time may lose its last millisecond block to a zero crossing.
    assert [on for on, _ in runs] == [on for on, _ in expected]
    for (_, measured), (_, nominal) in zip(runs, expected, strict=True):
        assert measured == pytest.approx(nominal, abs=1.0)


def test_generator_frames_join_up():
    tone = COUNTRIES["UK"].tones["ringback"]
    generator = ToneGenerator(tone)
    frames = np.concatenate([generator.read() for _ in range(200)])
    assert np.array_equal(frames, render(tone, 4000))
    assert len(to_bytes(generator.read())) == 320


def _scaled(tone: Tone, scales: list[float]) -> Tone:
    cadence = tuple(round(ms * scales[i % len(scales)]) for i, ms in enumerate(tone.cadence_ms))
    return Tone(tone.freqs_hz, cadence, level_dbm0=-35.0)


def _disconnect_cases():
    return [
        pytest.param(code, kind, id=f"{code}-{kind}")
        for code in COUNTRIES
        for kind in ("busy", "congestion")
    ]


@pytest.mark.parametrize(("code", "kind"), _disconnect_cases())
@pytest.mark.parametrize("scales", [[1.0], [0.9], [1.1], [0.9, 1.1, 1.1, 0.9, 1.05, 0.95]], ids=str)
def test_busy_and_congestion_recognised_after_three_cadences(code, kind, scales):
    """At -35 dBm0 in 20 dB SNR noise, every on and off time off by up to 10 %."""
    country = COUNTRIES[code]
    tone = _scaled(country.tones[kind], scales)
    lead_ms = 777
    signal = with_noise(
        np.random.default_rng(4), render(tone, 5 * tone.period_ms), 20, samples_of_ms(lead_ms)
    )
    found = run(disconnect_detector(country), signal)
    assert kind in {m.kind for m in found}
    first = min(m.at_ms for m in found if m.kind == kind)
    # Three whole cadences, then at most one more element and the 30 ms debounce.
    three_cycles_ms = lead_ms + 3 * tone.period_ms
    assert three_cycles_ms - 60 <= first <= three_cycles_ms + max(tone.cadence_ms) + 60


@pytest.mark.parametrize("cycles", [2, 4])
def test_number_of_cadences_is_configurable(cycles):
    tone = COUNTRIES["US"].tones["busy"]
    signal = np.concatenate((np.zeros(samples_of_ms(300)), render(tone, 6000)))
    found = run(CadenceDetector({"busy": tone}, cycles=cycles), signal)
    assert found[0].at_ms == pytest.approx(300 + cycles * 1000, abs=60)


@pytest.mark.parametrize("code", list(COUNTRIES))
def test_timing_20_percent_off_and_other_tones_are_not_busy(code):
    country = COUNTRIES[code]
    for kind in ("busy", "congestion"):
        for scale in (0.8, 1.25):
            tone = _scaled(country.tones[kind], [scale])
            assert run(disconnect_detector(country), render(tone, 6 * tone.period_ms)) == []
    for kind in ("dial", "ringback", "call_waiting"):
        tone = country.tones[kind]
        assert run(disconnect_detector(country), render(tone, 20000)) == [], kind


@pytest.mark.parametrize("code", list(COUNTRIES))
def test_no_busy_or_congestion_in_speech(code, speech_corpus):
    for name, samples in speech_corpus.items():
        assert run(disconnect_detector(COUNTRIES[code]), samples) == [], name
