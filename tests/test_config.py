"""The configuration file: defaults, and clear errors naming the key for bad input."""

import tomllib

import pytest

from firmware import config
from firmware.config import ConfigError


def load_text(tmp_path, text: str) -> config.Config:
    path = tmp_path / "callbox.toml"
    path.write_text(text)
    return config.load(path)


def problems(tmp_path, text: str) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load_text(tmp_path, text)
    return caught.value.problems


def test_defaults_listen_on_loopback_with_the_documented_ports():
    cfg = config.load(None)
    assert cfg.edge.address == cfg.engine.address == cfg.web.address == "127.0.0.1"
    assert (cfg.edge.udp_port, cfg.edge.tls_port, cfg.web.https_port) == (5060, 5061, 8443)
    assert cfg.engine.sip_port not in (5060, 5061)
    assert cfg.daemon.data_dir == config.CHECKOUT_DIR / "data"


def test_relative_data_dir_is_taken_from_the_file_location(tmp_path):
    cfg = load_text(tmp_path, '[daemon]\ndata_dir = "state"\n')
    assert cfg.daemon.data_dir == tmp_path / "state"


def test_unknown_key_is_named_with_a_suggestion(tmp_path):
    assert problems(tmp_path, "[engine]\nsip_prot = 5090\n") == [
        "engine.sip_prot: unknown key (did you mean 'sip_port'?)"
    ]


def test_unknown_section_is_named(tmp_path):
    assert problems(tmp_path, "[engin]\nsip_port = 5090\n") == [
        "engin: unknown section (did you mean 'engine'?)"
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('[engine]\nsip_port = "5090"\n', "engine.sip_port: expected an integer, got str '5090'"),
        ("[engine]\nmax_calls = true\n", "engine.max_calls: expected an integer, got bool True"),
        ("[daemon]\ndebug = 1\n", "daemon.debug: expected true or false, got int 1"),
        ("engine = 5\n", "engine: must be a table ([engine]), not int"),
    ],
)
def test_wrong_type_is_named(tmp_path, text, expected):
    assert problems(tmp_path, text) == [expected]


@pytest.mark.parametrize(
    ("text", "key", "words"),
    [
        ("[engine]\nsip_port = 70000\n", "engine.sip_port", "between 1 and 65535"),
        ("[engine]\nmax_calls = 5000\n", "engine.max_calls", "between 1 and 1024"),
        ("[engine]\nclock_rate_hz = 11025\n", "engine.clock_rate_hz", "one of 8000, 16000, 48000"),
        ('[engine]\naddress = "localhost:5"\n', "engine.address", "not an IP address"),
        ('[diagnostics]\necho_number = "echo"\n', "diagnostics.echo_number", "0-9, * and #"),
        (
            "[engine]\nrtp_port_min = 20000\nrtp_port_max = 20099\n",
            "engine.rtp_port_max",
            "carry 50 calls",
        ),
        ("[web]\nhttps_port = 5061\n", "web.https_port", "already taken by edge.tls_port"),
        ("[engine]\nsip_port = 20002\n", "engine.sip_port", "inside the RTP range"),
        ('[daemon]\nlog_level = "loud"\n', "daemon.log_level", "one of debug, info"),
    ],
)
def test_impossible_value_is_named(tmp_path, text, key, words):
    found = problems(tmp_path, text)
    assert len(found) == 1
    assert found[0].startswith(f"{key}: ")
    assert words in found[0]


def test_every_problem_is_reported_at_once(tmp_path):
    found = problems(tmp_path, '[engine]\nsip_port = "x"\nmax_calls = 0\n[web]\nport = 1\n')
    assert [p.split(":")[0] for p in found] == ["engine.max_calls", "engine.sip_port", "web.port"]


def test_broken_toml_says_where(tmp_path):
    (found,) = problems(tmp_path, "[engine\nsip_port = 1\n")
    assert "not valid TOML" in found
    assert "line 1" in found


def test_printed_defaults_are_valid_and_complete(tmp_path):
    text = config.defaults_toml()
    assert set(tomllib.loads(text)) == set(config.SECTIONS)
    loaded = load_text(tmp_path, text.replace('data_dir = "data"', f'data_dir = "{tmp_path}"'))
    assert loaded.engine == config.load(None).engine
