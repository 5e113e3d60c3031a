"""Board profiles: which chips sit where (chip selects, pins, timeslots), from TOML, checked."""

import difflib
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from board import BoardError
from board.hal import PcmFormat

# Chips each port kind may have, and how many of them one chip select can address.
CHIPS = {"fxs": {"si3215": 8}, "fxo": {"si3050": 16}}
GPIO_PINS = range(28)  # BCM numbering on the 40-pin header
# Pins the Pi's own peripherals take on the reference wiring (hardware.md §4).
PERIPHERAL_PINS = {9: "SPI0 MISO", 10: "SPI0 MOSI", 11: "SPI0 SCLK"} | dict.fromkeys(
    range(18, 22), "the PCM bus"
)
_PORT_KEYS = (
    "name",
    "chip",
    "chip_select",
    "chain_index",
    "timeslot",
    "interrupt_pin",
    "reset_pin",
)


class ProfileError(BoardError):
    """A board profile that cannot describe a board; every problem is named by its key."""

    def __init__(self, source: str, problems: list[str]):
        super().__init__(f"board profile {source}:\n  " + "\n  ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class PortProfile:
    """One FXS or FXO port: its chip, where the chip is addressed, its pins and timeslot."""

    name: str
    kind: str
    chip: str
    chip_select: str
    chain_index: int
    timeslot: int
    interrupt_pin: int
    reset_pin: int


@dataclass(frozen=True)
class FrontPanelProfile:
    """The character LCD's serial port, and the buttons and LEDs by name."""

    serial_port: str
    baud_rate: int
    buttons: dict[str, int] = field(default_factory=dict)
    leds: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class BoardProfile:
    """A board: its SPI bus and chip selects, its PCM bus, its ports and front panel."""

    name: str
    description: str
    spi_device: str
    spi_speed_hz: int
    chip_selects: dict[str, int]
    pcm_device: str
    pcm_format: PcmFormat
    pcm_frame_slots: int
    fxs: tuple[PortProfile, ...]
    fxo: tuple[PortProfile, ...]
    front_panel: FrontPanelProfile | None = None

    @property
    def ports(self) -> tuple[PortProfile, ...]:
        return self.fxs + self.fxo

    def port(self, name: str) -> PortProfile:
        for port in self.ports:
            if port.name == name:
                return port
        raise KeyError(name)


def builtin_profiles() -> list[str]:
    """Names of the profiles shipped in board/profiles."""
    folder = resources.files("board.profiles")
    return sorted(
        p.name.removesuffix(".toml") for p in folder.iterdir() if p.name.endswith(".toml")
    )


def load_profile(name_or_path: str | Path) -> BoardProfile:
    """Load a shipped profile by name ("reference") or a profile file by path."""
    path = Path(name_or_path)
    if path.suffix == ".toml":
        source, text = str(path), path.read_text(encoding="utf-8")
    elif str(name_or_path) in builtin_profiles():
        source = f"{name_or_path}.toml"
        text = resources.files("board.profiles").joinpath(source).read_text(encoding="utf-8")
    else:
        raise ProfileError(str(name_or_path), [f"no such profile; shipped: {builtin_profiles()}"])
    return parse_profile(text, source)


def parse_profile(text: str, source: str = "<text>") -> BoardProfile:
    """Check a profile's TOML text and build it; raises ProfileError listing every problem."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ProfileError(source, [f"not TOML: {error}"]) from None
    reader = _Reader()
    profile = reader.profile(data)
    if reader.problems:
        raise ProfileError(source, reader.problems)
    _check_wiring(profile, reader.problems)
    if reader.problems:
        raise ProfileError(source, reader.problems)
    return profile


class _Reader:
    """Reads the TOML tables into the profile, noting each problem with its key."""

    def __init__(self):
        self.problems: list[str] = []

    def profile(self, data: dict) -> BoardProfile:
        self.keys(data, "", ("name", "description", "spi", "pcm", "fxs", "fxo", "front_panel"))
        spi = self.table(data, "spi", ("device", "speed_hz", "chip_selects"))
        pcm = self.table(data, "pcm", ("device", "format", "frame_slots"))
        formats = [f.value for f in PcmFormat]
        pcm_format = self.choice(pcm, "pcm.format", formats)
        front_panel = self.front_panel(data["front_panel"]) if "front_panel" in data else None
        return BoardProfile(
            name=self.value(data, "name", str),
            description=self.value(data, "description", str, ""),
            spi_device=self.value(spi, "spi.device", str),
            spi_speed_hz=self.number(spi, "spi.speed_hz", range(100_000, 20_000_001)),
            chip_selects=self.pins(
                self.value(spi, "spi.chip_selects", dict, {}), "spi.chip_selects"
            ),
            pcm_device=self.value(pcm, "pcm.device", str),
            pcm_format=PcmFormat(pcm_format if pcm_format in formats else "ulaw"),
            pcm_frame_slots=self.number(pcm, "pcm.frame_slots", range(1, 129)),
            fxs=self.ports(data, "fxs"),
            fxo=self.ports(data, "fxo"),
            front_panel=front_panel,
        )

    def ports(self, data: dict, kind: str) -> tuple[PortProfile, ...]:
        entries = self.value(data, kind, list, [])
        ports = []
        for index, entry in enumerate(entries):
            path = f"{kind}[{index}]"
            if not isinstance(entry, dict):
                self.problems.append(f"{path}: must be a table ([[{kind}]])")
                continue
            self.keys(entry, path, _PORT_KEYS)
            ports.append(
                PortProfile(
                    name=self.value(entry, f"{path}.name", str),
                    kind=kind,
                    chip=self.choice(entry, f"{path}.chip", list(CHIPS[kind])),
                    chip_select=self.value(entry, f"{path}.chip_select", str),
                    chain_index=self.number(entry, f"{path}.chain_index", range(16)),
                    timeslot=self.number(entry, f"{path}.timeslot", range(128)),
                    interrupt_pin=self.number(entry, f"{path}.interrupt_pin", GPIO_PINS),
                    reset_pin=self.number(entry, f"{path}.reset_pin", GPIO_PINS),
                )
            )
        return tuple(ports)

    def front_panel(self, data: object) -> FrontPanelProfile | None:
        if not isinstance(data, dict):
            self.problems.append("front_panel: must be a table")
            return None
        self.keys(data, "front_panel", ("serial_port", "baud_rate", "buttons", "leds"))
        return FrontPanelProfile(
            serial_port=self.value(data, "front_panel.serial_port", str),
            baud_rate=self.number(data, "front_panel.baud_rate", range(300, 1_000_001)),
            buttons=self.pins(
                self.value(data, "front_panel.buttons", dict, {}), "front_panel.buttons"
            ),
            leds=self.pins(self.value(data, "front_panel.leds", dict, {}), "front_panel.leds"),
        )

    def table(self, data: dict, key: str, allowed: tuple[str, ...]) -> dict:
        table = self.value(data, key, dict, {})
        self.keys(table, key, allowed)
        return table

    def keys(self, table: dict, path: str, allowed: tuple[str, ...]) -> None:
        for key in table:
            if key not in allowed:
                close = difflib.get_close_matches(key, allowed, n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                self.problems.append(f"{_join(path, key)}: unknown key{hint}")

    def value(self, table: dict, path: str, kind: type, default: object = None):
        key = path.rsplit(".", 1)[-1]
        if key not in table:
            if default is None:
                self.problems.append(f"{path}: missing")
            return default if default is not None else kind()
        value = table[key]
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            self.problems.append(f"{path}: must be {_KIND_NAMES[kind]}; got {value!r}")
            return default if default is not None else kind()
        return value

    def number(self, table: dict, path: str, allowed: range) -> int:
        value = self.value(table, path, int)
        # Range-check only what the file holds (not the stand-in for a missing or bad value).
        if table.get(path.rsplit(".", 1)[-1]) is value and value not in allowed:
            self.problems.append(
                f"{path}: must be between {allowed.start} and {allowed.stop - 1}; got {value}"
            )
        return value

    def choice(self, table: dict, path: str, allowed: list[str]) -> str:
        value = self.value(table, path, str)
        if value and value not in allowed:
            self.problems.append(f"{path}: must be one of {allowed}; got {value!r}")
        return value

    def pins(self, table: dict, path: str) -> dict[str, int]:
        for key in table:
            self.number(table, f"{path}.{key}", GPIO_PINS)
        return dict(table)


_KIND_NAMES = {str: "a string", int: "an integer", dict: "a table", list: "an array of tables"}


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _check_wiring(profile: BoardProfile, problems: list[str]) -> None:
    """Cross-checks: names, addresses, timeslots and pins that collide or point nowhere."""
    if not profile.ports:
        problems.append("fxs, fxo: a board needs at least one port")
    _check_addresses(profile, problems)
    _check_timeslots(profile, problems)
    _check_pins(profile, problems)


def _check_addresses(profile: BoardProfile, problems: list[str]) -> None:
    names: set[str] = set()
    addresses: dict[tuple[str, int], str] = {}
    chips_on_select: dict[str, str] = {}
    for path, port in _port_paths(profile):
        if port.name in names:
            problems.append(f"{path}.name: {port.name!r} is used by another port")
        names.add(port.name)
        if port.chip_select not in profile.chip_selects:
            known = sorted(profile.chip_selects)
            problems.append(
                f"{path}.chip_select: {port.chip_select!r} is not in spi.chip_selects {known}"
            )
        if port.chain_index >= CHIPS[port.kind][port.chip]:
            limit = CHIPS[port.kind][port.chip] - 1
            problems.append(
                f"{path}.chain_index: an {port.chip} chain position is 0-{limit};"
                f" got {port.chain_index}"
            )
        address = (port.chip_select, port.chain_index)
        if address in addresses:
            problems.append(
                f"{path}.chain_index: {addresses[address]} already sits at"
                f" {address[0]!r} position {address[1]}"
            )
        addresses[address] = port.name
        chip = chips_on_select.setdefault(port.chip_select, port.chip)
        if chip != port.chip:
            problems.append(
                f"{path}.chip_select: {port.chip_select!r} already carries {chip} chips"
                " (their frames differ)"
            )


def _check_timeslots(profile: BoardProfile, problems: list[str]) -> None:
    width = profile.pcm_format.slots_per_sample
    taken: dict[int, str] = {}
    for path, port in _port_paths(profile):
        last = port.timeslot + width - 1
        if last >= profile.pcm_frame_slots:
            problems.append(
                f"{path}.timeslot: {port.timeslot} does not fit"
                f" pcm.frame_slots = {profile.pcm_frame_slots}"
            )
        for slot in range(port.timeslot, last + 1):
            if slot in taken:
                problems.append(f"{path}.timeslot: slot {slot} is already {taken[slot]}'s")
            taken[slot] = port.name


def _check_pins(profile: BoardProfile, problems: list[str]) -> None:
    owners: dict[int, str] = {}

    def claim(pin: int, role: str, path: str, shared: bool = False) -> None:
        owner = owners.get(pin)
        if pin in PERIPHERAL_PINS:
            problems.append(f"{path}: GPIO {pin} is {PERIPHERAL_PINS[pin]}")
        elif owner is None:
            owners[pin] = role
        elif not (shared and owner == role):
            problems.append(f"{path}: GPIO {pin} is already {owner}")

    for name, pin in profile.chip_selects.items():
        claim(pin, f"chip select {name!r}", f"spi.chip_selects.{name}")
    for path, port in _port_paths(profile):
        # Interrupt outputs are open-drain and reset inputs take one driver: ports share them.
        claim(port.interrupt_pin, _INTERRUPT, f"{path}.interrupt_pin", shared=True)
        claim(port.reset_pin, _RESET, f"{path}.reset_pin", shared=True)
    if profile.front_panel:
        for name, pin in profile.front_panel.buttons.items():
            claim(pin, f"button {name!r}", f"front_panel.buttons.{name}")
        for name, pin in profile.front_panel.leds.items():
            claim(pin, f"LED {name!r}", f"front_panel.leds.{name}")


_INTERRUPT = "an interrupt line"
_RESET = "a reset line"


def _port_paths(profile: BoardProfile):
    for kind, ports in (("fxs", profile.fxs), ("fxo", profile.fxo)):
        for index, port in enumerate(ports):
            yield f"{kind}[{index}]", port
