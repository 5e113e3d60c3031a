"""Alarms: what on the box needs someone's attention now, gathered from each part's state."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from pbx.host_health import HostReading

DISK_USED_ALARM_PERCENT = 90.0  # vendors warn at 85 %, alarm at 90 %
TEMPERATURE_ALARM_C = 80.0  # a Pi-class SoC starts throttling at 80-85 degrees C
CERTIFICATE_WARNING = timedelta(days=30)


@dataclass(frozen=True)
class Alarm:
    """One condition needing attention: its kind, what it is about, and a sentence saying so."""

    kind: str  # port, trunk, edge, engine, recording-disk, disk, temperature, certificate
    subject: str  # the port, trunk, partition ... it concerns
    detail: str


@dataclass(frozen=True)
class BoxState:
    """What alarms are raised from: the parts' states as the service API reports them."""

    engine: str  # running, stalled, stopped
    edge: str  # running, down, disabled
    ports: Iterable  # PortStatus: name, state
    trunks: Iterable  # TrunkStatus: name, registration
    recording: dict  # RecordingService.status(): alarm, disk_free_mb, reserve_mb
    host: HostReading | None
    certificate_not_after: datetime | None


def alarms_of(state: BoxState, now: datetime) -> list[Alarm]:
    """Every alarm `state` raises, most fundamental first (engine before ports before disks)."""
    found = []
    if state.engine != "running":
        found.append(Alarm("engine", "SIP engine", f"the SIP engine is {state.engine}"))
    if state.edge == "down":
        found.append(Alarm("edge", "SIP edge", "the SIP edge (Kamailio) is down"))
    found += [
        Alarm("port", port.name, f"port {port.name} is in alarm")
        for port in state.ports
        if port.state == "alarm"
    ]
    found += [
        Alarm("trunk", trunk.name, f"trunk {trunk.name} failed to register")
        for trunk in state.trunks
        if trunk.registration == "failed"
    ]
    if state.recording.get("alarm"):
        free, reserve = state.recording.get("disk_free_mb"), state.recording.get("reserve_mb")
        detail = f"{free} MiB free, reserve {reserve} MiB: calls are no longer recorded"
        found.append(Alarm("recording-disk", "recordings", detail))
    found += _host_alarms(state.host)
    if state.certificate_not_after is not None:
        left = state.certificate_not_after - now
        if left < CERTIFICATE_WARNING:
            days = max(0, left.days)
            found.append(
                Alarm("certificate", "HTTPS", f"the panel's certificate expires in {days} days")
            )
    return found


def _host_alarms(host: HostReading | None) -> list[Alarm]:
    found = []
    if host is None:
        return found
    if host.disk_used_percent is not None and host.disk_used_percent >= DISK_USED_ALARM_PERCENT:
        found.append(
            Alarm("disk", "data", f"the data partition is {host.disk_used_percent:.0f} % full")
        )
    if host.temperature_c is not None and host.temperature_c >= TEMPERATURE_ALARM_C:
        found.append(Alarm("temperature", host.temperature_zone, f"{host.temperature_c:.0f} °C"))
    return found
