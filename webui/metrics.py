"""/metrics: the box's health in Prometheus's text format (version 0.0.4), for a scraper's token.

Written by hand rather than with prometheus_client: its registry keeps collectors
alive between scrapes and its Tornado support is a WSGI/ASGI wrapper or its own
HTTP server, while here every value is read fresh from the service API on each
scrape, and the format is a few lines of text.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

from pbx.api import BoxStatus, QueueSnapshot, Registration
from webui.handler import ApiHandler

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


def _label(value: str) -> str:
    """A label value with the three characters the format escapes."""
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


@dataclass
class Family:
    """One metric: its HELP and TYPE lines, then a sample per label set."""

    name: str
    kind: str  # "gauge" or "counter"
    help: str
    samples: list[tuple[dict[str, str], float]] = field(default_factory=list)

    def add(self, value: float, **labels: str) -> "Family":
        self.samples.append((labels, value))
        return self

    def text(self) -> str:
        lines = [f"# HELP {self.name} {self.help}", f"# TYPE {self.name} {self.kind}"]
        for labels, value in self.samples:
            inner = ",".join(f'{k}="{_label(v)}"' for k, v in labels.items())
            lines.append(f"{self.name}{{{inner}}} {value:g}" if inner else f"{self.name} {value:g}")
        return "\n".join(lines) + "\n"


def gauge(name: str, help_text: str) -> Family:
    return Family(f"callbox_{name}", "gauge", help_text)


def counter(name: str, help_text: str) -> Family:
    return Family(f"callbox_{name}_total", "counter", help_text)


def box_families(status: BoxStatus) -> Iterable[Family]:
    """The engine, calls, analog ports, trunks, security events and recording."""
    yield gauge("uptime_seconds", "Seconds since the daemon started.").add(status.uptime_s)
    engine = gauge("engine_state", "The SIP engine's state (1 for the current one).")
    yield engine.add(1, state=status.engine)
    legs = gauge("call_legs_active", "Call legs up now (a call between two phones is two legs).")
    yield legs.add(status.calls_active)
    yield counter("call_legs", "Call legs since the daemon started.").add(status.calls_total)
    ports = gauge("port_state", "Each analog port's state (1 for the current one).")
    for port in status.ports:
        ports.add(1, port=port.name, kind=port.kind, state=port.state)
    yield ports
    trunks = gauge("trunk_registration_state", "Each trunk's registration (1 for the current).")
    failed = counter("trunk_calls_failed", "Calls a trunk failed, since the daemon started.")
    for trunk in status.trunks:
        trunks.add(1, trunk=trunk.name, state=trunk.registration)
        failed.add(trunk.calls_failed, trunk=trunk.name)
    yield from (trunks, failed)
    events = counter("security_events", "Security events (bans, failed log-ins ...) by kind.")
    for kind, count in sorted(status.security_events.items()):
        events.add(count, kind=kind)
    yield events
    if status.recording:  # only on a box that records
        recording = status.recording
        yield gauge("recordings_active", "Recordings running now.").add(recording["active"])
        yield gauge("recording_disk_free_megabytes", "Free space for recordings, in MiB.").add(
            recording["disk_free_mb"]
        )


def queue_families(queues: list[QueueSnapshot]) -> Iterable[Family]:
    """Per queue: callers waiting, the longest wait, callbacks pending, agents by state."""
    waiting = gauge("queue_callers_waiting", "Callers waiting in the queue now.")
    longest = gauge("queue_longest_wait_seconds", "How long the longest-waiting caller has waited.")
    callbacks = gauge("queue_callbacks_pending", "Callers waiting for a call back.")
    agents = gauge("queue_agents", "The queue's agents by state.")
    for queue in queues:
        waiting.add(queue.waiting, queue=queue.queue)
        longest.add(round(queue.longest_wait_s, 1), queue=queue.queue)
        callbacks.add(queue.callbacks_pending, queue=queue.queue)
        for state, count in sorted(queue.agents.items()):
            agents.add(count, queue=queue.queue, state=state)
    return (waiting, longest, callbacks, agents)


def registration_families(registrations: list[Registration]) -> Iterable[Family]:
    """Phones registered: by contact (a phone) and by extension (any of its phones)."""
    yield gauge("sip_registrations", "SIP contacts registered at the edge now.").add(
        len(registrations)
    )
    yield gauge("extensions_registered", "Extensions with at least one phone registered.").add(
        len({r.number for r in registrations})
    )


class MetricsEndpoint(ApiHandler):
    """GET: every metric, read fresh from the service API at each scrape."""

    async def get(self) -> None:
        families = [
            *box_families(self.api.status()),
            *registration_families(await self.api.registrations()),
            *queue_families(await self.api.queues_live()),
        ]
        self.set_header("Content-Type", CONTENT_TYPE)
        self.finish("".join(family.text() for family in families))
