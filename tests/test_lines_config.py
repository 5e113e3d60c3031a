"""The [board] section and the dial plan the analog phones dial against."""

import pytest

from board.profile import load_profile
from firmware.line_config import line_settings
from pbx.dial_plan import Dialled, DialPlan
from pbx.lines.settings import FxoSettings, FxsSettings
from pbx.trunks import OutboundRoute
from tests.test_config import load_text, problems


def test_per_port_settings_become_each_lines_settings(tmp_path):
    cfg = load_text(
        tmp_path,
        '[board]\ncountry = "UK"\n'
        '[board.lines.fxs2]\nextension = "2002"\ncall_waiting = false\n'
        '[board.lines.fxo1]\ndestination = "ext:2002"\nanswer_ring = 1\n'
        'supervision = ["battery", "silence"]\n',
    )
    assert (cfg.board.profile, cfg.board.emulated, cfg.board.country) == ("reference", True, "UK")
    fxs, fxo = line_settings(load_profile(cfg.board.profile), cfg.board.lines)
    assert sorted(fxs) == ["fxs1", "fxs2", "fxs3", "fxs4"]
    assert sorted(fxo) == ["fxo1", "fxo2", "fxo3", "fxo4"]
    assert fxs["fxs1"] == FxsSettings()
    assert fxs["fxs2"] == FxsSettings(extension="2002", call_waiting=False)
    assert fxo["fxo1"] == FxoSettings(
        destination="ext:2002", answer_ring=1, supervision=("battery", "silence")
    )


def test_every_mistake_in_the_board_section_is_named_by_key(tmp_path):
    found = problems(
        tmp_path,
        '[board.lines.fxs1]\nextension = "1001"\nextention = 3\n'
        '[board.lines.fxs2]\nextension = "1001"\ncall_waiting = "no"\n'
        '[board.lines.fxo1]\ndestination = "nowhere:5"\nsupervision = ["battery", "magic"]\n'
        "answer_ring = 0\ndial_delay_ms = 1.5\n"
        "[board.lines.fxo9]\n",
    )
    assert found == [
        "board.lines.fxo1.answer_ring: must be between 1 and 20; got 0",
        "board.lines.fxo1.destination: destination must be one of announce:..., ext:..., "
        "group:..., hangup, ivr:..., queue:..., tc:...; got 'nowhere:5'",
        "board.lines.fxo1.dial_delay_ms: expected an integer, got float 1.5",
        "board.lines.fxo1.supervision: methods are battery, polarity, busy, silence",
        "board.lines.fxo9: board reference has no such port",
        "board.lines.fxs1.extention: unknown key for an fxs port (did you mean 'extension'?)",
        "board.lines.fxs2.call_waiting: expected true or false, got str 'no'",
        "board.lines.fxs2.extension: 1001 is fxs1's",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('[board]\nprofile = "nosuch"\n', "board.profile: no such profile"),
        ('[board]\ncountry = "XX"\n', "board.country: must be one of AE, AU, DE"),
        ("[board]\nlines = 5\n", "board.lines: expected a table per port"),
    ],
)
def test_a_bad_board_is_named(tmp_path, text, expected):
    (found,) = problems(tmp_path, text)
    assert found.startswith(expected)


ROUTES = [
    OutboundRoute("out", ("_9.",), ("fxo",)),
    OutboundRoute("uk", ("_0[1-3]XXXXXXXXX",), ("t",)),
]
PLAN = DialPlan(lambda: ("1001", "10011"), lambda: ROUTES, ("*43",), ("999",))


@pytest.mark.parametrize(
    ("digits", "dialled"),
    [
        ("1", Dialled.INCOMPLETE),
        ("1001", Dialled.AMBIGUOUS),  # 10011 is an extension too
        ("10011", Dialled.COMPLETE),
        ("*4", Dialled.INCOMPLETE),
        ("*43", Dialled.COMPLETE),
        ("999", Dialled.COMPLETE),  # an emergency number, though _9. could go on
        ("9999", Dialled.AMBIGUOUS),
        ("9", Dialled.INCOMPLETE),
        ("95", Dialled.AMBIGUOUS),  # _9. takes any number of further digits
        ("0201234567", Dialled.INCOMPLETE),
        ("02012345678", Dialled.COMPLETE),
        ("5", Dialled.UNKNOWN),
        ("020123456789", Dialled.UNKNOWN),
    ],
)
def test_the_dial_plan_says_when_enough_has_been_dialled(digits, dialled):
    assert PLAN.classify(digits) is dialled
