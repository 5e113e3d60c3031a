"""DTMF receiver against Q.24 (hardware.md 3.2, target 7): frequency, twist, duration,
noise, dynamic range, chunking, and talk-off on speech in five languages."""

import numpy as np
import pytest

from board.dsp.dtmf import KEYPAD, DtmfDetector, DtmfGenerator, digit_freqs_hz
from board.dsp.level import power_of_dbm0
from board.dsp.pcm import samples_of_ms, to_pcm
from board.dsp.tones import sine_mix
from tests.dsp_signals import run, with_noise

DIGITS = "".join(KEYPAD)


def heard(samples, **settings) -> str:
    return "".join(d.digit for d in run(DtmfDetector(**settings), samples))


def each_digit_heard(generator: DtmfGenerator, **settings) -> dict[str, str]:
    """Each digit rendered alone; what the detector made of it."""
    return {digit: heard(generator.render(digit), **settings) for digit in DIGITS}


@pytest.mark.parametrize("offset_pct", [-1.5, -1.0, -0.5, 0.0, 0.5, 1.0, 1.5])
def test_digits_within_1_5_percent_are_accepted(offset_pct):
    generator = DtmfGenerator(freq_scale=1 + offset_pct / 100)
    assert each_digit_heard(generator) == {d: d for d in DIGITS}


@pytest.mark.parametrize("offset_pct", [-6.0, -4.5, -3.5, 3.5, 4.5, 6.0])
def test_digits_beyond_3_5_percent_are_rejected(offset_pct):
    generator = DtmfGenerator(freq_scale=1 + offset_pct / 100)
    assert each_digit_heard(generator) == dict.fromkeys(DIGITS, "")


@pytest.mark.parametrize("group", ["low", "high"])
def test_one_tone_off_by_3_5_percent_is_enough_to_reject(group):
    for digit in DIGITS:
        low_hz, high_hz = digit_freqs_hz(digit)
        freqs = (low_hz * 1.035, high_hz) if group == "low" else (low_hz, high_hz * 0.965)
        tone = to_pcm(sine_mix(freqs, -10, samples_of_ms(60)))
        assert heard(tone) == "", digit


@pytest.mark.parametrize(
    ("twist_db", "accepted"),
    # Generator twist: high group relative to low. Normal twist (low louder) up to
    # 8 dB, reverse (high louder) up to 4 dB; limits tested 1 dB either side.
    [(-7.0, True), (-9.0, False), (3.0, True), (5.0, False)],
)
def test_twist_limits(twist_db, accepted):
    generator = DtmfGenerator(level_dbm0=-12, twist_db=twist_db)
    expected = {d: d if accepted else "" for d in DIGITS}
    assert each_digit_heard(generator) == expected


def test_twist_limits_are_configurable():
    generator = DtmfGenerator(level_dbm0=-12, twist_db=-10)
    assert heard(generator.render("5")) == ""
    assert heard(generator.render("5"), normal_twist_db=12) == "5"


@pytest.mark.parametrize("on_ms", [40, 45, 50])
def test_40_ms_digits_are_accepted_at_any_alignment(on_ms):
    for lead_samples in range(0, 160, 13):
        signal = np.concatenate((np.zeros(lead_samples), DtmfGenerator(on_ms=on_ms).render("7")))
        assert heard(signal) == "7", lead_samples


@pytest.mark.parametrize("on_ms", [10, 15, 20])
def test_bursts_of_20_ms_or_less_are_rejected_at_any_alignment(on_ms):
    for lead_samples in range(0, 160, 13):
        signal = np.concatenate((np.zeros(lead_samples), DtmfGenerator(on_ms=on_ms).render("7")))
        assert heard(signal) == "", lead_samples


def test_50_ms_pauses_separate_repeated_digits():
    generator = DtmfGenerator(on_ms=40, off_ms=50)
    assert heard(generator.render("1155*#00")) == "1155*#00"


@pytest.mark.parametrize("level_dbm0", [-10.0, -25.0])
def test_15_db_snr_is_accepted(level_dbm0):
    # SNR against the power of both tones together, over the whole 0-4 kHz band.
    rng = np.random.default_rng(15)
    digits = DIGITS * 5
    signal = with_noise(rng, DtmfGenerator(level_dbm0=level_dbm0).render(digits), snr_db=15)
    assert heard(signal) == digits


@pytest.mark.parametrize("level_dbm0", [-3.0, -10.0, -20.0, -30.0, -38.0])
def test_dynamic_range_of_35_db(level_dbm0):
    assert heard(DtmfGenerator(level_dbm0=level_dbm0).render(DIGITS)) == DIGITS


@pytest.mark.parametrize("level_dbm0", [-46.0, -55.0])
def test_tones_below_the_minimum_level_are_ignored(level_dbm0):
    assert heard(DtmfGenerator(level_dbm0=level_dbm0).render(DIGITS)) == ""


def test_minimum_level_is_configurable():
    quiet = DtmfGenerator(level_dbm0=-46).render("9")
    assert heard(quiet, min_level_dbm0=-50) == "9"


def test_start_time_and_chunk_size_do_not_change_what_is_heard():
    lead_ms = 123.4
    signal = np.concatenate((np.zeros(samples_of_ms(lead_ms)), DtmfGenerator().render("123")))
    results = {
        chunk: [(d.digit, d.start_ms) for d in run(DtmfDetector(), signal, chunk)]
        for chunk in (1, 7, 160, 1000, len(signal))
    }
    assert len({tuple(r) for r in results.values()}) == 1
    digits = results[160]
    assert [d for d, _ in digits] == ["1", "2", "3"]
    for index, (_, start_ms) in enumerate(digits):
        assert abs(start_ms - (lead_ms + index * 105)) <= 6


def test_generator_defaults_are_minus_10_dbm0_50_ms_on_55_off():
    samples = DtmfGenerator().render("5").astype(float)
    on = samples[np.abs(samples) > 0]
    assert len(samples) == samples_of_ms(105)
    assert abs(len(on) - samples_of_ms(50)) <= 2
    # Two sines at -10 dBm0 each: twice the power of one.
    assert np.mean(on**2) == pytest.approx(2 * power_of_dbm0(-10), rel=0.02)


def _false_digits_per_hour(corpus: dict, **settings) -> tuple[int, float, float]:
    false_digits = sum(len(heard(samples, **settings)) for samples in corpus.values())
    hours = sum(len(samples) for samples in corpus.values()) / 8000 / 3600
    return false_digits, hours, false_digits / hours


def test_talk_off_on_speech_in_five_languages(speech_corpus):
    """Bellcore TR-TSY-000763 allows 470 false digits over its tape set; hardware.md's
    target 7 aims at 50. Speech here has no digits, so every digit is false; the bound
    is 50 per hour of speech, at a loud talker's level (-15 dBm0)."""
    false_digits, hours, per_hour = _false_digits_per_hour(speech_corpus)
    assert hours * 60 >= 5, "the corpus should hold minutes of speech"
    print(f"talk-off: {false_digits} false digits in {hours * 60:.1f} min = {per_hour:.0f}/h")
    assert per_hour <= 50


def test_talk_off_corpus_catches_a_detector_without_talk_off_checks(speech_corpus):
    # Proof that the corpus has digit-like sounds in it: the same detector with the
    # power-fraction test loosened, as a plain Goertzel detector would be, talks off.
    false_digits, _, per_hour = _false_digits_per_hour(speech_corpus, min_tone_fraction=0.3)
    assert per_hour > 470, false_digits
