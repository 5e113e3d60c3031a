"""Dial patterns, number classes and E.164: what decides where a number goes and who may dial it."""

import pytest

from pbx.dial_pattern import DialPattern, PatternError
from pbx.extensions import Permission
from pbx.numbering import NumberError, NumberPlan
from pbx.trunks import OutboundRoute, Trunk, TrunkError

UK = NumberPlan("44", "0", "00", area_code="20", emergency_numbers=("999", "112"))
NANP = NumberPlan("1", "1", "011", emergency_numbers=("911",))


@pytest.mark.parametrize(
    ("pattern", "number", "matches"),
    [
        ("_0ZXXXXXXXX.", "02079460000", True),
        ("_0ZXXXXXXXX.", "00079460000", False),  # Z is 1-9
        ("_00Z.", "0033142685300", True),
        ("_NXX", "211", True),
        ("_NXX", "111", False),
        ("_[2-4]X", "35", True),
        ("_[2-4]X", "55", False),
        ("_9!", "9", True),
        ("_9.", "9", False),  # . needs at least one more digit
        ("_+Z.", "+33142685300", True),
        ("999", "999", True),
        ("999", "9999", False),
    ],
)
def test_dial_patterns_match_whole_numbers(pattern, number, matches):
    assert DialPattern(pattern).matches(number) is matches


@pytest.mark.parametrize("pattern", ["_", "_0X.X", "_[]", "_[a-z]", "_0X;rm", "_[2-4X"])
def test_malformed_patterns_are_refused_with_the_reason(pattern):
    with pytest.raises(PatternError, match="pattern"):
        DialPattern(pattern)


@pytest.mark.parametrize(
    ("plan", "number", "permission"),
    [
        (UK, "999", Permission.EMERGENCY),
        (UK, "79460000", Permission.LOCAL),
        (UK, "02079460000", Permission.NATIONAL),
        (UK, "00442079460000", Permission.NATIONAL),  # home country written abroad-style
        (UK, "+442079460000", Permission.NATIONAL),
        (UK, "0033142685300", Permission.INTERNATIONAL),
        (UK, "+33142685300", Permission.INTERNATIONAL),
        (NANP, "911", Permission.EMERGENCY),
        (NANP, "12125550100", Permission.NATIONAL),
        (NANP, "011442079460000", Permission.INTERNATIONAL),
    ],
)
def test_numbers_are_classified_by_what_they_reach(plan, number, permission):
    assert plan.classify(number) == permission


def test_numbers_take_the_form_each_trunk_wants():
    assert UK.formatted("02079460000", "e164") == "+442079460000"
    assert UK.formatted("79460000", "e164") == "+442079460000"  # the area code added
    assert UK.formatted("0033142685300", "e164-digits") == "33142685300"
    assert UK.formatted("+442079460000", "national") == "02079460000"
    assert UK.formatted("+33142685300", "national") == "0033142685300"
    assert UK.formatted("999", "e164") == "999"  # emergency numbers go as dialled
    assert NANP.formatted("011442079460000", "e164") == "+442079460000"


def test_a_number_with_letters_is_refused():
    with pytest.raises(NumberError):
        UK.classify("0800-FLOWERS")


def test_routes_strip_and_prepend_before_the_number_is_judged():
    route = OutboundRoute("dial9", ("_9.",), ("itsp",), strip=1).check()
    assert route.dialled_number("902079460000") == "02079460000"
    assert route.dialled_number("02079460000") is None
    prefixed = OutboundRoute("local", ("_NXXXXXXX",), ("itsp",), prepend="020").check()
    assert prefixed.dialled_number("79460000") == "02079460000"


@pytest.mark.parametrize(
    ("changes", "complaint"),
    [
        ({"name": "Bad Name"}, "trunk name"),
        ({"host": "sip.example:99999"}, "host"),
        ({"host": "sip example"}, "host"),
        ({"transport": "sctp"}, "transport"),
        ({"register": True, "username": ""}, "username"),
        ({"dids": {"4420": "nowhere:sales"}}, "destination"),
        ({"dids": {"44-20": "ext:101"}}, "DID"),
        ({"inbound_networks": ("10.0.0.0/33",)}, "inbound network"),
        ({"username": "a b"}, "username"),
        ({"max_channels": "4"}, "max_channels must be a whole number"),
        ({"register": "yes"}, "register must be true or false"),
        ({"dids": ["4420"]}, "dids must map numbers"),
    ],
)
def test_trunk_settings_are_checked_with_a_clear_reason(changes, complaint):
    settings = {"name": "itsp", "host": "sip.example:5060", "username": "acct"} | changes
    with pytest.raises(TrunkError, match=complaint):
        Trunk(**settings).check()
