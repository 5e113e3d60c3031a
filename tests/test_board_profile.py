"""Board profiles: the shipped ones load, and every mistake is named by its key."""

import pytest

from board.hal import PcmFormat
from board.profile import ProfileError, builtin_profiles, load_profile, parse_profile

GOOD = """
name = "test"
[spi]
device = "/dev/spidev0.0"
speed_hz = 1_000_000
chip_selects = { fxs = 16, fxo = 27 }
[pcm]
device = "/dev/tdm"
format = "alaw"
frame_slots = 8
[[fxs]]
name = "fxs1"
chip = "si3215"
chip_select = "fxs"
chain_index = 0
timeslot = 0
interrupt_pin = 22
reset_pin = 17
[[fxo]]
name = "fxo1"
chip = "si3050"
chip_select = "fxo"
chain_index = 0
timeslot = 1
interrupt_pin = 23
reset_pin = 17
"""


def problems(text):
    with pytest.raises(ProfileError) as caught:
        parse_profile(text, "test.toml")
    return caught.value.problems


def test_both_shipped_profiles_load():
    assert builtin_profiles() == ["reference", "reference-8x8"]
    reference = load_profile("reference")
    assert [p.name for p in reference.fxs] == ["fxs1", "fxs2", "fxs3", "fxs4"]
    assert [p.timeslot for p in reference.fxo] == [4, 5, 6, 7]
    assert reference.chip_selects == {"fxs": 16, "fxo": 27}
    assert reference.front_panel.leds["fxo2"] == 12
    large = load_profile("reference-8x8")
    assert (len(large.fxs), len(large.fxo)) == (8, 8)
    assert large.port("fxo8").chain_index == 7
    assert large.pcm_frame_slots == 32


def test_a_profile_file_loads_by_path(tmp_path):
    path = tmp_path / "mine.toml"
    path.write_text(GOOD)
    profile = load_profile(path)
    assert profile.pcm_format is PcmFormat.ALAW
    assert [p.name for p in profile.ports] == ["fxs1", "fxo1"]


def test_an_unknown_profile_name_lists_the_shipped_ones():
    with pytest.raises(ProfileError, match="reference-8x8"):
        load_profile("nosuch")


def test_unknown_keys_are_named_with_a_suggestion():
    text = GOOD.replace("timeslot = 1", "timeslot = 1\ntimeslto = 2").replace(
        "[pcm]", "[pcm]\nfromat = 1"
    )
    assert problems(text) == [
        "pcm.fromat: unknown key (did you mean 'format'?)",
        "fxo[0].timeslto: unknown key (did you mean 'timeslot'?)",
    ]


def test_types_ranges_and_choices_are_checked_all_at_once():
    text = (
        GOOD.replace('format = "alaw"', 'format = "gsm"')
        .replace("speed_hz = 1_000_000", 'speed_hz = "fast"')
        .replace('chip = "si3050"', 'chip = "si3215"')
        .replace("interrupt_pin = 23", "interrupt_pin = 40")
    )
    assert problems(text) == [
        "pcm.format: must be one of ['alaw', 'ulaw', 'linear16']; got 'gsm'",
        "spi.speed_hz: must be an integer; got 'fast'",
        "fxo[0].chip: must be one of ['si3050']; got 'si3215'",
        "fxo[0].interrupt_pin: must be between 0 and 27; got 40",
    ]


def test_missing_keys_are_named():
    text = GOOD.replace('device = "/dev/tdm"\n', "").replace("chain_index = 0\ntimeslot = 1", "")
    assert problems(text) == [
        "pcm.device: missing",
        "fxo[0].chain_index: missing",
        "fxo[0].timeslot: missing",
    ]


def test_addresses_must_point_somewhere_and_not_collide():
    text = GOOD + GOOD[GOOD.index("[[fxo]]") :].replace('"fxo1"', '"fxo2"').replace(
        "timeslot = 1", "timeslot = 2"
    )
    text = text.replace('chip_select = "fxs"', 'chip_select = "slic"')
    assert problems(text) == [
        "fxs[0].chip_select: 'slic' is not in spi.chip_selects ['fxo', 'fxs']",
        "fxo[1].chain_index: fxo1 already sits at 'fxo' position 0",
    ]


def test_chain_positions_are_limited_per_chip():
    text = GOOD.replace("chain_index = 0\ntimeslot = 0", "chain_index = 8\ntimeslot = 0")
    assert problems(text) == ["fxs[0].chain_index: an si3215 chain position is 0-7; got 8"]


def test_one_chip_select_carries_one_kind_of_chip():
    text = GOOD.replace('chip_select = "fxo"', 'chip_select = "fxs"').replace(
        "chain_index = 0\ntimeslot = 1", "chain_index = 1\ntimeslot = 1"
    )
    assert problems(text) == [
        "fxo[0].chip_select: 'fxs' already carries si3215 chips (their frames differ)"
    ]


def test_timeslots_must_fit_the_frame_and_not_overlap():
    assert problems(GOOD.replace("timeslot = 1", "timeslot = 8")) == [
        "fxo[0].timeslot: 8 does not fit pcm.frame_slots = 8"
    ]
    assert problems(GOOD.replace("timeslot = 1", "timeslot = 0")) == [
        "fxo[0].timeslot: slot 0 is already fxs1's"
    ]
    # A linear sample takes two slots.
    assert problems(GOOD.replace('"alaw"', '"linear16"')) == [
        "fxo[0].timeslot: slot 1 is already fxs1's"
    ]


def test_pins_have_one_role_each_but_interrupts_and_resets_are_shared():
    shared = GOOD.replace("interrupt_pin = 23", "interrupt_pin = 22")
    assert parse_profile(shared).fxo[0].interrupt_pin == 22
    assert problems(GOOD.replace("reset_pin = 17\n[[fxo]]", "reset_pin = 16\n[[fxo]]")) == [
        "fxs[0].reset_pin: GPIO 16 is already chip select 'fxs'"
    ]
    assert problems(GOOD.replace("interrupt_pin = 23", "interrupt_pin = 17")) == [
        "fxo[0].interrupt_pin: GPIO 17 is already a reset line"
    ]
    assert problems(GOOD.replace("fxo = 27", "fxo = 19")) == [
        "spi.chip_selects.fxo: GPIO 19 is the PCM bus"
    ]


def test_front_panel_pins_are_checked_too():
    text = GOOD.replace(
        "[[fxs]]",
        '[front_panel]\nserial_port = "/dev/ttyAMA0"\nbaud_rate = 9600\n'
        "buttons = { up = 22 }\nleds = { fxs1 = 2, fxo1 = 2 }\n[[fxs]]",
    )
    assert problems(text) == [
        "front_panel.buttons.up: GPIO 22 is already an interrupt line",
        "front_panel.leds.fxo1: GPIO 2 is already LED 'fxs1'",
    ]


def test_a_board_needs_ports_and_valid_toml():
    no_ports = GOOD[: GOOD.index("[[fxs]]")]
    assert problems(no_ports) == ["fxs, fxo: a board needs at least one port"]
    assert problems("name = ")[0].startswith("not TOML")
