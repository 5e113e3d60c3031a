"""A port's settings as the panel sends them (form text or JSON), checked like the config."""

import pytest

from pbx import PbxError
from pbx.analog_ports import changed_settings
from pbx.lines.settings import FxoSettings, FxsSettings


def test_form_text_and_json_become_the_settings_types():
    fxs = changed_settings(FxsSettings(), {"extension": "1001", "call_waiting": "off"})
    assert (fxs.extension, fxs.call_waiting) == ("1001", False)
    fxo = changed_settings(
        FxoSettings(),
        {"answer_ring": "3", "dial_tone_timeout_s": 2, "supervision": "battery, silence"},
    )
    assert (fxo.answer_ring, fxo.dial_tone_timeout_s) == (3, 2.0)
    assert fxo.supervision == ("battery", "silence")
    assert changed_settings(FxoSettings(), {"supervision": ["busy"]}).supervision == ("busy",)


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"answer_ring": "x"}, "answer_ring: expected a whole number, got 'x'"),
        ({"answer_ring": 2.5}, "answer_ring: expected a whole number"),
        ({"answer_ring": 0}, "answer_ring: must be between 1 and 20; got 0"),
        ({"outbound_answer": "later"}, "outbound_answer: must be one of immediate, polarity"),
        ({"destination": "nowhere"}, "destination:"),
        ({"colour": "red"}, "colour: no such setting"),
    ],
)
def test_bad_values_are_refused_by_name(values, message):
    with pytest.raises(PbxError, match=message):
        changed_settings(FxoSettings(), values)


def test_an_fxs_setting_checks_the_extension_and_booleans():
    with pytest.raises(PbxError, match="call_waiting: expected true or false"):
        changed_settings(FxsSettings(), {"call_waiting": "maybe"})
    with pytest.raises(PbxError, match="extension: expected text"):
        changed_settings(FxsSettings(), {"extension": 1001})
