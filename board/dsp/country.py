"""Per-country telephony settings, loaded from countries.toml: tones, ring, caller ID."""

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from board import BoardError
from board.dsp.tones import Tone

COUNTRIES_FILE = Path(__file__).with_name("countries.toml")
TONE_KINDS = ("dial", "busy", "ringback", "congestion", "call_waiting")
CALLER_ID_STANDARDS = ("bell202", "v23", "dtmf", "auto")


class CountryDataError(BoardError):
    """countries.toml is missing something or holds a value that cannot be right."""


@dataclass(frozen=True)
class RingCadence:
    """Ringing on and off times, starting with on."""

    cadence_ms: tuple[int, ...]
    verified: bool = True


@dataclass(frozen=True)
class CallerIdSignalling:
    """How the phone company sends caller ID: "bell202", "v23", "dtmf" (in `dtmf_form`),
    or "auto" where it is unknown and every method is listened for.

    `before_ring`: the data comes before the first ring, after a polarity reversal
    (and the 2130+2750 Hz alert tone if `alert_tone`); otherwise after the first ring.
    """

    standard: str
    timing: str = ""
    dtmf_form: str | None = None
    verified: bool = True
    before_ring: bool = False
    alert_tone: bool = False


@dataclass(frozen=True)
class Country:
    """One country's settings; `unverified` names the values that are fallbacks."""

    code: str
    name: str
    source: str
    ring: RingCadence
    caller_id: CallerIdSignalling
    tones: dict[str, Tone] = field(default_factory=dict)

    @property
    def unverified(self) -> list[str]:
        """Which settings are documented fallbacks, for the UI and the HIL rig to flag."""
        names = [kind for kind, tone in self.tones.items() if not tone.verified]
        names += [name for name in ("ring", "caller_id") if not getattr(self, name).verified]
        return names


def _cadence(values: list, where: str) -> tuple[int, ...]:
    if len(values) % 2 or any(not isinstance(v, int) or v <= 0 for v in values):
        raise CountryDataError(f"{where}: cadence_ms must be on/off pairs of positive ms")
    return tuple(values)


def _tone(entry: dict, level_dbm0: float, where: str) -> Tone:
    freqs = tuple(float(f) for f in entry.get("freqs_hz", ()))
    if not freqs or not all(0 < f < 4000 for f in freqs):
        raise CountryDataError(f"{where}: freqs_hz must be 1-2 frequencies under 4000 Hz")
    return Tone(
        freqs_hz=freqs,
        cadence_ms=_cadence(entry.get("cadence_ms", []), where),
        level_dbm0=float(entry.get("level_dbm0", level_dbm0)),
        verified=bool(entry.get("verified", True)),
    )


def _country(code: str, entry: dict, levels: dict) -> Country:
    missing = [k for k in (*TONE_KINDS, "ring", "caller_id") if k not in entry]
    if missing:
        raise CountryDataError(f"countries.{code}: missing {', '.join(missing)}")
    caller_id = CallerIdSignalling(**entry["caller_id"])
    if caller_id.standard not in CALLER_ID_STANDARDS:
        raise CountryDataError(f"countries.{code}: unknown caller ID {caller_id.standard!r}")
    ring = entry["ring"]
    return Country(
        code=code,
        name=entry["name"],
        source=entry["source"],
        ring=RingCadence(_cadence(ring["cadence_ms"], f"{code}.ring"), ring.get("verified", True)),
        caller_id=caller_id,
        tones={k: _tone(entry[k], levels[k], f"countries.{code}.{k}") for k in TONE_KINDS},
    )


def load_countries(path: Path = COUNTRIES_FILE) -> dict[str, Country]:
    """Every country in the data file, by ISO code ("US", "UK", "DE", ...)."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    levels = data.get("levels_dbm0", {})
    missing = [kind for kind in TONE_KINDS if kind not in levels]
    if missing:
        raise CountryDataError(f"levels_dbm0: missing {', '.join(missing)}")
    return {code: _country(code, entry, levels) for code, entry in data["countries"].items()}
