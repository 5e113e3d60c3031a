"""Numbers and names read out of SIP headers and request lines."""

import pytest

from pbx.sip._uri import request_uri, split_name_addr, uri_headers, uri_user


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (
            '"Alice Smith" <sip:1001@10.0.0.5;transport=tcp>;tag=abc',
            ("Alice Smith", "sip:1001@10.0.0.5;transport=tcp"),
        ),
        ('"Say \\"hi\\"" <sip:1002@host>', ('Say "hi"', "sip:1002@host")),
        ("Bob <sip:1003@host>", ("Bob", "sip:1003@host")),
        ("<sip:1004@host>", ("", "sip:1004@host")),
        ("sip:1005@host", ("", "sip:1005@host")),
    ],
)
def test_display_name_and_uri_are_split(value, expected):
    assert split_name_addr(value) == expected


@pytest.mark.parametrize(
    ("uri", "user"),
    [
        ("sip:*43@127.0.0.1:5080", "*43"),
        ("sips:+4930123@carrier.example;user=phone", "+4930123"),
        ("tel:+4930123", "+4930123"),
        ("sip:host.only", "host.only"),
        ("mailto:x@y", ""),
    ],
)
def test_user_part_is_the_number(uri, user):
    assert uri_user(uri) == user


def test_request_uri_comes_from_the_request_line_only():
    invite = "INVITE sip:2000@127.0.0.1:5080 SIP/2.0\r\nVia: SIP/2.0/UDP x\r\n\r\n"
    assert request_uri(invite) == "sip:2000@127.0.0.1:5080"
    assert request_uri("SIP/2.0 200 OK\r\n\r\n") == ""


def test_a_refer_to_carries_its_replaces_as_a_uri_header():
    refer_to = "sip:1003@pbx?Require=replaces&Replaces=a1%40host%3Bto-tag%3Dx%3Bfrom-tag%3Dy"
    assert uri_user(refer_to) == "1003"
    assert uri_headers(refer_to) == {
        "require": "replaces",
        "replaces": "a1@host;to-tag=x;from-tag=y",
    }
    assert uri_headers("sip:1003@pbx") == {}
