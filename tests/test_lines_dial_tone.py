"""Dial-tone recognition, which an FXO line waits for before dialling out: each country's
own, and never another country's dial tone or one of its own cadenced tones."""

import pytest

from board.dsp.country import load_countries
from board.dsp.pcm import split_frames
from board.dsp.steady_tone import dial_tone_detector
from board.dsp.tones import render

COUNTRIES = load_countries()


def recognised_after_ms(country: str, heard: str, kind: str = "dial", ms: int = 3000):
    """When `country`'s detector recognises `heard`'s `kind` tone (ms), or None."""
    detector = dial_tone_detector(COUNTRIES[country])
    signal = render(COUNTRIES[heard].tones[kind], ms)
    found = [detector.feed(frame) for frame in split_frames(signal)]
    return found.index(True) * 20 if True in found else None


@pytest.mark.parametrize("country", sorted(COUNTRIES))
def test_a_countrys_dial_tone_is_recognised_within_two_seconds(country):
    assert recognised_after_ms(country, country) <= 2000


@pytest.mark.parametrize("country", sorted(COUNTRIES))
@pytest.mark.parametrize("kind", ["busy", "congestion", "ringback", "call_waiting"])
def test_no_cadenced_tone_of_its_own_is_taken_for_dial_tone(country, kind):
    assert recognised_after_ms(country, country, kind, ms=8000) is None


@pytest.mark.parametrize(
    ("country", "other"), [("US", "DE"), ("DE", "US"), ("AU", "DE"), ("FR", "AU")]
)
def test_another_countrys_dial_tone_is_not(country, other):
    assert recognised_after_ms(country, other) is None
