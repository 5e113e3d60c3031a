"""The daemon's configuration: a TOML file checked against a typed schema at start."""

import dataclasses
import difflib
import ipaddress
import json
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from firmware.line_config import COUNTRY_CODES, check_lines_table, line_problems
from firmware.system_config import SystemConfig

CHECKOUT_DIR = Path(__file__).resolve().parent.parent
_DIAL_STRING = re.compile(r"^[0-9*#]{1,16}$")


class ConfigError(Exception):
    """The configuration cannot be used; `problems` names each key and what is wrong."""

    def __init__(self, source: str, problems: list[str]) -> None:
        super().__init__(f"configuration error in {source}:\n  " + "\n  ".join(problems))
        self.source = source
        self.problems = problems


def _opt(default: Any, doc: str, **rules: Any) -> Any:
    """A schema field: its default, a one-line description, and its rules."""
    if isinstance(default, dict):
        return field(default_factory=lambda: dict(default), metadata={"doc": doc, **rules})
    return field(default=default, metadata={"doc": doc, **rules})


@dataclass(frozen=True)
class DaemonConfig:
    data_dir: Path = _opt(Path("data"), "database, recordings, prompts; relative to this file")
    log_level: str = _opt("info", "daemon log level", choices=("debug", "info", "warning", "error"))
    debug: bool = _opt(False, "debug mode: check every loop-only call's thread")
    shutdown_timeout_s: float = _opt(10.0, "longest a clean stop may take", min=1.0, max=120.0)


@dataclass(frozen=True)
class EngineConfig:
    address: str = _opt("127.0.0.1", "loopback address of the SIP engine", kind="ip")
    sip_port: int = _opt(5080, "engine SIP port (UDP and TCP)", kind="port")
    rtp_port_min: int = _opt(20000, "first RTP port", kind="port")
    rtp_port_max: int = _opt(29999, "last RTP port", kind="port")
    max_calls: int = _opt(1024, "concurrent call legs", min=1, max=1024)
    clock_rate_hz: int = _opt(8000, "conference mixing rate", choices=(8000, 16000, 48000))
    conference_threads: int = _opt(1, "threads mixing the conference bridge", min=1, max=8)
    log_level: int = _opt(1, "pjsip log level (1 errors .. 5 every SIP message)", min=0, max=6)


@dataclass(frozen=True)
class EdgeConfig:
    enabled: bool = _opt(True, "run Kamailio as the SIP edge (off: the engine alone)")
    supervisor: str = _opt(
        "daemon",
        "who runs Kamailio: the daemon (a child) or systemd (callbox-edge.service)",
        choices=("daemon", "systemd"),
    )
    address: str = _opt("127.0.0.1", "address the SIP edge listens on", kind="ip")
    udp_port: int = _opt(5060, "SIP over UDP", kind="port")
    tcp_port: int = _opt(5060, "SIP over TCP", kind="port")
    tls_port: int = _opt(5061, "SIP over TLS", kind="port")
    allow: tuple[str, ...] = _opt((), "networks never rate-limited or banned", kind="networks")
    auth_failures_before_ban: int = _opt(
        10, "failed logins from one address before a ban", min=1, max=1000
    )
    auth_failure_window_s: int = _opt(
        600, "how long failed logins are remembered", min=10, max=86400
    )
    ban_s: int = _opt(1800, "how long a banned address gets no answer", min=10, max=604800)
    requests_per_2s: int = _opt(
        40, "requests per 2 s from one address before a flood ban", min=4, max=10000
    )
    contact_address: str = _opt(
        "", "address providers reach the box at (blank: edge.address)", kind="ip-or-blank"
    )


@dataclass(frozen=True)
class WebConfig:
    address: str = _opt("127.0.0.1", "address the web panel listens on", kind="ip")
    https_port: int = _opt(8443, "web panel (HTTPS)", kind="port")
    http_port: int = _opt(8080, "redirects to HTTPS", kind="port")
    language: str = _opt(
        "en", "the panel's language (ar and fa are right to left)", choices=("en", "ar", "fa")
    )
    session_idle_timeout_s: int = _opt(
        900, "a session unused this long ends (sign in again)", min=60, max=86400
    )
    session_absolute_timeout_s: int = _opt(
        43200, "a session ends this long after signing in, however busy", min=300, max=604800
    )
    setup_token_ttl_s: int = _opt(
        3600, "the first-start token lasts this long; then a new one is shown", min=60, max=604800
    )
    login_free_failures: int = _opt(
        3, "failed log-ins from one address before it must wait", min=1, max=20
    )
    login_max_backoff_s: int = _opt(
        900, "longest wait after failed log-ins (the wait doubles each time)", min=1, max=86400
    )
    security_contact: str = _opt(
        "mailto:security@callbox.invalid",
        "where to report a vulnerability: /.well-known/security.txt's Contact",
        kind="contact-uri",
    )


@dataclass(frozen=True)
class RoutingConfig:
    ring_timeout_s: int = _opt(30, "how long an extension rings before no-answer", min=5, max=600)
    outbound_ring_timeout_s: int = _opt(
        120, "how long an outside number rings before no-answer", min=5, max=600
    )
    outbound_calls_per_s: int = _opt(
        5, "calls out one extension may start per second (more: refused)", min=1, max=100
    )
    max_call_duration_s: int = _opt(
        10800, "longest a call may last; then it is cut (toll-fraud limit)", min=1, max=86400
    )


@dataclass(frozen=True)
class DialplanConfig:
    country_code: str = _opt("44", "the country's calling code, without +", kind="digits")
    national_prefix: str = _opt("0", "trunk prefix for national numbers", kind="digits")
    international_prefix: str = _opt("00", "prefix for dialling abroad", kind="digits")
    area_code: str = _opt(
        "", "area code added to numbers dialled without one (blank: none)", kind="digits-or-blank"
    )
    emergency_numbers: tuple[str, ...] = _opt(
        ("999", "112"), "numbers every outside-capable phone may call", kind="dial-list"
    )


@dataclass(frozen=True)
class MohConfig:
    default_dir: Path = _opt(
        Path("/usr/share/asterisk/moh"), "WAV files of the default music-on-hold class"
    )


@dataclass(frozen=True)
class PromptsConfig:
    sounds_dir: Path = _opt(
        Path("/usr/share/asterisk/sounds"), "recorded prompt sets, a folder per language and voice"
    )
    language: str = _opt(
        "en",
        "language of prompts and spoken numbers, unless a menu or a queue sets its own",
        kind="language",
    )
    tone_country: str = _opt(
        "UK",
        "whose ringback a caller in a menu hears while an extension rings",
        choices=("US", "UK", "DE", "FR", "AU", "AE", "SA", "EG", "IR"),
    )


@dataclass(frozen=True)
class QueuesConfig:
    short_abandon_s: int = _opt(
        5, "KPIs: callers who hang up sooner are short abandons, counted apart", min=0, max=600
    )
    repeat_window_h: int = _opt(
        24, "KPIs: a call back within this many hours spoils first-contact", min=1, max=720
    )
    login_code: str = _opt("*45", "an agent logs in to its queues", kind="dial")
    logout_code: str = _opt("*46", "an agent logs out", kind="dial")
    pause_code: str = _opt("*47", "an agent pauses (digits after it: the reason code)", kind="dial")
    unpause_code: str = _opt("*48", "an agent takes calls again", kind="dial")
    listen_code: str = _opt("*80", "a supervisor listens to an agent (+ extension)", kind="dial")
    whisper_code: str = _opt("*81", "a supervisor whispers to an agent (+ extension)", kind="dial")
    barge_code: str = _opt("*82", "a supervisor joins an agent's call (+ extension)", kind="dial")


@dataclass(frozen=True)
class DiagnosticsConfig:
    echo_number: str = _opt("*43", "number that echoes the caller's audio", kind="dial")
    tone_number: str = _opt("*44", "number that plays the 1004 Hz test tone", kind="dial")


@dataclass(frozen=True)
class RecordingConfig:
    dir: str = _opt(
        "",
        "where recordings go, an absolute path (blank: <daemon.data_dir>/recordings)",
        kind="abs-path-or-blank",
    )
    default_mode: str = _opt(
        "on-demand",
        "policy of calls no extension sets one for",
        choices=("always", "never", "on-demand"),
    )
    on_demand_code: str = _opt("*1", "keyed during a call: starts or stops recording", kind="dial")
    two_channel: bool = _opt(False, "also write a two-channel file: caller left, answerer right")
    retention_days: int = _opt(
        90, "recordings older than this are deleted (0: never)", min=0, max=36500
    )
    quota_mb: int = _opt(
        0, "most space recordings may take; the oldest go first (0: no quota)", min=0, max=10**8
    )
    reserve_mb: int = _opt(
        512, "free space kept on the disk: below it no recording starts", min=0, max=10**7
    )
    sync_interval_s: float = _opt(
        1.5,
        "recordings are flushed to the disk this often (0: the kernel decides)",
        min=0.0,
        max=60.0,
    )
    sweep_interval_s: int = _opt(
        600, "how often retention and the quota are applied", min=10, max=86400
    )


@dataclass(frozen=True)
class BoardConfig:
    profile: str = _opt("reference", "board profile: a shipped name, or a .toml file")
    emulated: bool = _opt(True, "run on the emulated board (development and tests), not hardware")
    country: str = _opt(
        "US",
        "where the lines are: tones, ring cadence, caller ID, hook timing, DAA settings",
        choices=COUNTRY_CODES,
    )
    lines: dict = _opt(
        {},
        "per port: [board.lines.fxs1] extension = ..., [board.lines.fxo1] destination = ...",
        kind="lines",
    )


@dataclass(frozen=True)
class Config:
    daemon: DaemonConfig = field(default_factory=DaemonConfig)
    engine: EngineConfig = field(default_factory=EngineConfig)
    edge: EdgeConfig = field(default_factory=EdgeConfig)
    web: WebConfig = field(default_factory=WebConfig)
    routing: RoutingConfig = field(default_factory=RoutingConfig)
    dialplan: DialplanConfig = field(default_factory=DialplanConfig)
    moh: MohConfig = field(default_factory=MohConfig)
    prompts: PromptsConfig = field(default_factory=PromptsConfig)
    diagnostics: DiagnosticsConfig = field(default_factory=DiagnosticsConfig)
    recording: RecordingConfig = field(default_factory=RecordingConfig)
    queues: QueuesConfig = field(default_factory=QueuesConfig)
    board: BoardConfig = field(default_factory=BoardConfig)
    system: SystemConfig = field(default_factory=SystemConfig)


SECTIONS: dict[str, type] = {f.name: f.type for f in dataclasses.fields(Config)}


def load(path: Path | None) -> Config:
    """Read and check `path` (None: the built-in development defaults)."""
    source = str(path) if path else "the built-in defaults"
    raw: dict[str, Any] = {}
    if path is not None:
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except OSError as err:
            raise ConfigError(source, [f"cannot read the file: {err.strerror}"]) from None
        except tomllib.TOMLDecodeError as err:
            raise ConfigError(source, [f"not valid TOML: {err}"]) from None
    problems: list[str] = []
    for name in raw.keys() - SECTIONS.keys():
        problems.append(f"{name}: unknown section{_hint(name, SECTIONS)}")
    sections = {
        name: _section(name, cls, raw.get(name, {}), problems) for name, cls in SECTIONS.items()
    }
    config = Config(**sections)
    if not problems:
        problems += _cross_checks(config)
    if problems:
        raise ConfigError(source, sorted(set(problems)))
    return _resolve_paths(config, path.parent if path else CHECKOUT_DIR)


def _resolve_paths(config: Config, base: Path) -> Config:
    """Every path setting made absolute, relative ones taken from `base`."""
    sections = {}
    for name in SECTIONS:
        section = getattr(config, name)
        paths = {
            f.name: (base / getattr(section, f.name)).resolve()
            for f in dataclasses.fields(section)
            if f.type is Path
        }
        sections[name] = dataclasses.replace(section, **paths)
    return Config(**sections)


def _hint(name: str, known: Any) -> str:
    close = difflib.get_close_matches(name, list(known), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _section(name: str, cls: type, table: Any, problems: list[str]) -> Any:
    if not isinstance(table, dict):
        problems.append(f"{name}: must be a table ([{name}]), not {type(table).__name__}")
        return cls()
    fields = {f.name: f for f in dataclasses.fields(cls)}
    for key in table.keys() - fields.keys():
        problems.append(f"{name}.{key}: unknown key{_hint(key, fields)}")
    values = {}
    for key, spec in fields.items():
        if key in table:
            problem = _check(spec, table[key])
            if problem:
                problems.append(f"{name}.{key}: {problem}")
            else:
                values[key] = _convert(spec, table[key])
    return cls(**values)


_TYPE_NAMES = {
    int: "an integer",
    float: "a number",
    bool: "true or false",
    str: "a string",
    Path: "a path (string)",
}


def _convert(spec: dataclasses.Field, value: Any) -> Any:
    if spec.type is Path:
        return Path(value)
    if spec.metadata.get("kind") in ("networks", "dial-list"):
        return tuple(value)
    return value


def _check_networks(value: Any) -> str | None:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        return f'expected a list of networks like ["192.168.1.0/24"], got {value!r}'
    for network in value:
        try:
            ipaddress.ip_network(network, strict=False)
        except ValueError:
            return f"not a network: {network!r}"
    return None


def _check_dial_list(value: Any) -> str | None:
    if not isinstance(value, list) or not all(
        isinstance(v, str) and _DIAL_STRING.match(v) for v in value
    ):
        return f'expected a list of numbers like ["999", "112"], got {value!r}'
    return None


_STRUCTURED_CHECKS = {
    "lines": check_lines_table,
    "networks": _check_networks,
    "dial-list": _check_dial_list,
}


def _check(spec: dataclasses.Field, value: Any) -> str | None:
    """What is wrong with `value` for this field, or None."""
    structured = _STRUCTURED_CHECKS.get(spec.metadata.get("kind"))
    if structured is not None:
        return structured(value)
    expected = spec.type
    accepted = {Path: (str,), float: (int, float)}.get(expected, (expected,))
    if not isinstance(value, accepted) or (isinstance(value, bool) and expected is not bool):
        return f"expected {_TYPE_NAMES[expected]}, got {type(value).__name__} {value!r}"
    rules = spec.metadata
    if "choices" in rules and value not in rules["choices"]:
        return f"must be one of {', '.join(map(str, rules['choices']))}; got {value!r}"
    low, high = rules.get("min"), rules.get("max")
    if rules.get("kind") == "port":
        low, high = 1, 65535
    if low is not None and not low <= value <= high:
        return f"must be between {low} and {high}; got {value}"
    return _check_kind(rules.get("kind"), value)


# Kinds of text a key may hold: its pattern, and what to say when it does not match.
_TEXT_KINDS = {
    "digits": (re.compile(r"[0-9]{1,6}"), "must be 1 to 6 digits"),
    "dial": (_DIAL_STRING, "must be 1 to 16 of 0-9, * and #"),
    "language": (
        re.compile(r"[a-z]{2,3}(-[a-z0-9]{2,8})?"),
        'must be a language code like "en" or "fr-ca"',
    ),
    "abs-path": (re.compile(r"/.*"), "must be an absolute path or blank"),
    "contact-uri": (
        re.compile(r"(mailto:[^\s@]+@[^\s@]+|https://\S+|tel:\+?[0-9-]+)"),
        "must be a mailto:, https: or tel: URI",
    ),
}


def _check_kind(kind: str | None, value: Any) -> str | None:
    if kind is None or (kind.endswith("-or-blank") and value == ""):
        return None
    kind = kind.removesuffix("-or-blank")
    if kind == "ip":
        try:
            ipaddress.ip_address(value)
        except ValueError:
            return f"not an IP address: {value!r}"
        return None
    if kind in _TEXT_KINDS:
        pattern, problem = _TEXT_KINDS[kind]
        if not pattern.fullmatch(value):
            return f"{problem}; got {value!r}"
    return None


def _listeners(config: Config) -> list[tuple[str, str, int, str]]:
    """(key, address, port, protocol) of every socket the box listens on."""
    e, d, w = config.engine, config.edge, config.web
    return [
        ("engine.sip_port", e.address, e.sip_port, "udp"),
        ("engine.sip_port", e.address, e.sip_port, "tcp"),
        ("edge.udp_port", d.address, d.udp_port, "udp"),
        ("edge.tcp_port", d.address, d.tcp_port, "tcp"),
        ("edge.tls_port", d.address, d.tls_port, "tcp"),
        ("web.https_port", w.address, w.https_port, "tcp"),
        ("web.http_port", w.address, w.http_port, "tcp"),
    ]


def _overlaps(a: str, b: str) -> bool:
    wildcard = ("0.0.0.0", "::")
    return a == b or a in wildcard or b in wildcard


def _cross_checks(config: Config) -> list[str]:
    problems = []
    seen: list[tuple[str, str, int, str]] = []
    for key, address, port, proto in _listeners(config):
        for other_key, other_address, other_port, other_proto in seen:
            if (
                key != other_key
                and port == other_port
                and proto == other_proto
                and _overlaps(address, other_address)
            ):
                problems.append(f"{key}: {port}/{proto} is already taken by {other_key}")
        seen.append((key, address, port, proto))
    w = config.web
    if w.session_absolute_timeout_s < w.session_idle_timeout_s:
        problems.append(
            "web.session_absolute_timeout_s: must not be shorter than"
            f" web.session_idle_timeout_s ({w.session_idle_timeout_s})"
        )
    e = config.engine
    ports = e.rtp_port_max - e.rtp_port_min + 1
    if ports < 2:
        problems.append(
            f"engine.rtp_port_max: must be above engine.rtp_port_min ({e.rtp_port_min})"
        )
    elif ports // 2 < e.max_calls:
        problems.append(
            f"engine.rtp_port_max: ports {e.rtp_port_min}-{e.rtp_port_max} carry"
            f" {ports // 2} calls (2 ports each), fewer than engine.max_calls"
            f" ({e.max_calls})"
        )
    for key, address, port, _ in _listeners(config):
        if e.rtp_port_min <= port <= e.rtp_port_max and _overlaps(address, e.address):
            problems.append(
                f"{key}: {port} lies inside the RTP range {e.rtp_port_min}-{e.rtp_port_max}"
            )
    return problems + line_problems(config.board.profile, config.board.lines)


def _toml_value(value: Any) -> str:
    if isinstance(value, Path):
        value = str(value)
    if isinstance(value, tuple):
        value = list(value)
    return json.dumps(value)  # JSON spells strings, numbers, booleans and lists as TOML does


def defaults_toml() -> str:
    """The full default configuration as commented TOML (`callbox config defaults`)."""
    lines = []
    for name, cls in SECTIONS.items():
        lines.append(f"[{name}]")
        for spec in dataclasses.fields(cls):
            lines.append(f"# {spec.metadata['doc']}")
            default = (
                spec.default_factory() if spec.default is dataclasses.MISSING else spec.default
            )
            lines.append(f"{spec.name} = {_toml_value(default)}")
        lines.append("")
    return "\n".join(lines)
