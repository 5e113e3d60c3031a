"""The call-routing pages' sections: trunks, outbound and inbound routes, time conditions,
IVR menus and announcements, each as one adapter from the panel to its service.

A section lists, reads, saves and deletes its objects through the service API,
turns them into JSON, and says how its form looks (webui.settings_form). The
page and API handlers (call_flow_pages, call_flow_api) are the same for all.
"""

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from pbx.api import (
    CALL_PERMISSIONS,
    NUMBER_FORMATS,
    RECORDING_SETTINGS,
    SOURCE_KINDS,
    TRANSPORTS,
    Announcement,
    CallPermission,
    InboundRoute,
    IvrMenu,
    OutboundRoute,
    Permission,
    ServiceApi,
    SettingError,
    TimeCondition,
    Trunk,
    TrunkError,
)
from webui.settings_form import Field, FormError, fields_of, json_settings

P = Permission


def _text_list(name: str, value: object) -> tuple[str, ...]:
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise FormError(f"{name} must be a list of text")
    return tuple(value)


@dataclass(frozen=True)
class Section:
    """One kind of object on the call-routing pages (subclasses say how it is kept)."""

    key: str  # the URL's part: /inbound-routes, /api/inbound-routes
    title: str  # the page's heading
    noun: str  # one of them, for messages: "inbound route"
    audit: str  # audit actions: "<audit>.add", ".change", ".delete"
    cls: type
    fields: list[Field]
    columns: tuple[tuple[str, Callable[[object], str]], ...]  # the list's columns
    view: Permission
    edit: Permission
    has_secret: bool = False  # a write-only secret (trunks)
    night_mode: bool = False  # time conditions: the night-mode switch
    map_repeat: bool = False  # menus: a key may play the menu again
    kind: str = ""  # a call-flow catalog's kind ("route-in", "tc" ...)

    @property
    def allowed(self) -> list[str]:
        """Settings a JSON request may give (besides the name)."""
        names = [f.name for f in dataclasses.fields(self.cls)][1:]
        return [*names, "secret"] if self.has_secret else names

    def items(self, api: ServiceApi) -> list:
        raise NotImplementedError

    def headings(self) -> list[str]:
        """The list's column headings (after the name)."""
        return [label for label, _ in self.columns]

    def row(self, api: ServiceApi, item: object) -> list[str]:  # noqa: ARG002 (the subclasses' signature)
        """An object's cells in the list."""
        return [shown(item) for _, shown in self.columns]

    def get(self, api: ServiceApi, name: str):
        """The object `name`; a PbxError if there is none."""
        raise NotImplementedError

    async def save(self, api: ServiceApi, name: str, settings: dict, *, new: bool):
        """Create `name` (`new`) or change the settings given."""
        raise NotImplementedError

    async def delete(self, api: ServiceApi, name: str) -> None:
        raise NotImplementedError

    def as_json(self, api: ServiceApi, item: object) -> dict:  # noqa: ARG002 (the subclasses' signature)
        """An object as the API shows it (never a secret)."""
        return dataclasses.asdict(item)

    def hints(self, api: ServiceApi) -> dict[str, list[tuple[str, str]]]:  # noqa: ARG002 (the subclasses' signature)
        """Help for fields that depends on what the box has now: field -> (a label to
        translate, the names it lists), e.g. ("Trunks", "main, backup")."""
        return {}

    def settings(self, body: dict) -> dict:
        """A JSON body's settings, checked for names only (the service checks values)."""
        return json_settings(body, self.allowed)


class CatalogSection(Section):
    """Inbound routes, time conditions, menus and announcements: api.call_flows's catalogs."""

    def _catalog(self, api: ServiceApi):
        if api.call_flows is None:
            raise SettingError("this box has no call flows")
        return api.call_flows.catalog(self.kind)

    def items(self, api: ServiceApi) -> list:
        return self._catalog(api).items() if api.call_flows is not None else []

    def get(self, api: ServiceApi, name: str):
        return self._catalog(api).get(name)

    async def save(self, api: ServiceApi, name: str, settings: dict, *, new: bool):
        catalog = self._catalog(api)
        if new and name in catalog:
            raise SettingError(f"{self.noun} {name} already exists")
        if not new:
            catalog.get(name)
        return await catalog.set(name, **settings)

    async def delete(self, api: ServiceApi, name: str) -> None:
        self._catalog(api)
        await api.call_flows.delete(self.kind, name)

    def as_json(self, api: ServiceApi, item: object) -> dict:
        found = dataclasses.asdict(item)
        if self.night_mode:
            found["now"] = api.call_flows.time_condition_state(item.name, datetime.now(UTC))
        return found

    def hints(self, api: ServiceApi) -> dict[str, list[tuple[str, str]]]:
        if self.kind in ("ivr", "announce") and api.prompts is not None:
            known = [
                _known("Prompts made on this box", [p.name for p in api.prompts.prompts()]),
                _known("Recorded sets", api.prompts.recorded_languages()),
            ]
            prompt_fields = ("greeting", "invalid_prompt", "timeout_prompt", "prompts")
            return dict.fromkeys(prompt_fields, known)
        if self.kind != "route-in":
            return {}
        lines = [p.name for p in api.status().ports if p.kind == "fxo"]
        trunks = [t.name for t in api.trunks.trunks()]
        return {"source_name": [_known("Trunks", trunks), _known("FXO lines", lines)]}


def _known(what: str, names: list[str]) -> tuple[str, str]:
    return what, ", ".join(names) or "-"


class TrunkSection(Section):
    """SIP trunks (api.trunks); the secret can be set and never read back."""

    def items(self, api: ServiceApi) -> list:
        return api.trunks.trunks()

    def headings(self) -> list[str]:
        return [*super().headings(), "Registration", "Failed calls"]

    def row(self, api: ServiceApi, item: object) -> list[str]:
        status = {s.name: s for s in api.trunks.status()}.get(item.name)
        state = (status.registration, str(status.calls_failed)) if status else ("", "")
        return [*super().row(api, item), *state]

    def get(self, api: ServiceApi, name: str):
        return api.trunks.get(name)

    async def save(self, api: ServiceApi, name: str, settings: dict, *, new: bool):
        settings = dict(settings)
        secret = settings.pop("secret", None)
        if secret is not None and not isinstance(secret, str):
            raise TrunkError("secret must be text")
        if "inbound_networks" in settings:
            networks = settings["inbound_networks"]
            settings["inbound_networks"] = _text_list("inbound_networks", networks)
        if not new:
            return await api.trunks.update(name, secret or None, **settings)
        if not settings.get("host"):
            raise TrunkError("a trunk needs its provider's host")
        return await api.trunks.add(Trunk(name, **settings), secret or "")

    async def delete(self, api: ServiceApi, name: str) -> None:
        api.trunks.get(name)
        await api.trunks.delete(name)

    def as_json(self, api: ServiceApi, item: object) -> dict:
        (status,) = [s for s in api.trunks.status() if s.name == item.name] or [None]
        found = dataclasses.asdict(item)
        if status is not None:
            found |= {"registration": status.registration, "calls_failed": status.calls_failed}
            found["last_failure"] = status.last_failure and dataclasses.asdict(status.last_failure)
        return found


class OutboundRouteSection(Section):
    """Outbound routes (api.trunks): patterns, number changes, trunks in failover order."""

    def items(self, api: ServiceApi) -> list:
        return api.trunks.routes()

    def get(self, api: ServiceApi, name: str):
        for route in api.trunks.routes():
            if route.name == name:
                return route
        raise TrunkError(f"no outbound route {name}")

    async def save(self, api: ServiceApi, name: str, settings: dict, *, new: bool):
        settings = dict(settings)
        for key in ("patterns", "trunks"):
            if key in settings:
                settings[key] = _text_list(key, settings[key])
        if "permission" in settings:
            if not isinstance(settings["permission"], str):
                raise TrunkError("permission must be text")
            settings["permission"] = CallPermission.parse(settings["permission"])
        exists = any(route.name == name for route in api.trunks.routes())
        if new and exists:
            raise TrunkError(f"outbound route {name} already exists")
        if exists:
            route = dataclasses.replace(self.get(api, name), **settings)
        else:
            route = OutboundRoute(name, **{"patterns": (), "trunks": (), **settings})
        return await api.trunks.put_route(route)

    async def delete(self, api: ServiceApi, name: str) -> None:
        self.get(api, name)
        await api.trunks.delete_route(name)

    def as_json(self, api: ServiceApi, item: object) -> dict:  # noqa: ARG002 (the subclasses' signature)
        return {**dataclasses.asdict(item), "permission": item.permission.name.lower()}

    def hints(self, api: ServiceApi) -> dict[str, str]:
        trunks = [t.name for t in api.trunks.trunks()]
        groups = api.trunks.line_groups()
        return {"trunks": [_known("Trunks", trunks), _known("FXO line groups", groups)]}


def _choice(*choices: str) -> dict:
    return {"widget": "choice", "choices": choices}


def _joined(values) -> str:
    return ", ".join(values)


TRUNKS = TrunkSection(
    key="trunks", title="Trunks", noun="trunk", audit="trunk", cls=Trunk,
    fields=fields_of(
        Trunk,
        {"host": "Provider host (host or host:port)", "transport": "Transport",
         "register": "Register with the provider", "username": "User name",
         "auth_username": "Authentication user name (blank: the user name)",
         "domain": "SIP domain (blank: the host)", "from_user": "From user on calls out",
         "caller_id": "Caller ID for extensions without one", "number_format": "Number format",
         "max_channels": "Calls at once (0: no limit)",
         "inbound_networks": "Other addresses the provider calls from (one a line)",
         "dids": "DIDs: number -> destination", "enabled": "In service"},
        transport=_choice(*TRANSPORTS), number_format=_choice(*NUMBER_FORMATS),
    ),
    columns=(("Host", lambda t: t.host), ("Transport", lambda t: t.transport),
             ("DIDs", lambda t: _joined(f"{n} -> {d}" for n, d in t.dids.items()))),
    view=P.TRUNKS_VIEW, edit=P.TRUNKS_EDIT, has_secret=True,
)  # fmt: skip

OUTBOUND_ROUTES = OutboundRouteSection(
    key="outbound-routes", title="Outbound routes", noun="outbound route", audit="route",
    cls=OutboundRoute,
    fields=fields_of(
        OutboundRoute,
        {"patterns": "Patterns, e.g. _0NXXXXXXXX (one a line)",
         "trunks": "Trunks or FXO line groups, in failover order (one a line)",
         "strip": "Leading digits to strip", "prepend": "Digits to put in front",
         "permission": "Least call permission needed", "priority": "Priority (lower first)"},
        permission=_choice(*CALL_PERMISSIONS),
    ),
    columns=(("Patterns", lambda r: _joined(r.patterns)),
             ("Strip/prepend", lambda r: f"{r.strip}/{r.prepend or '-'}"),
             ("Calls out", lambda r: r.permission.name.lower()),
             ("Trunks", lambda r: " > ".join(r.trunks)), ("Priority", lambda r: str(r.priority))),
    view=P.TRUNKS_VIEW, edit=P.TRUNKS_EDIT,
)  # fmt: skip

INBOUND_ROUTES = CatalogSection(
    kind="route-in", key="inbound-routes", title="Inbound routes", noun="inbound route",
    audit="inbound-route", cls=InboundRoute,
    fields=fields_of(
        InboundRoute,
        {"did": "DID (dialled number or pattern)",
         "caller": "Caller ID (number, pattern or anonymous)",
         "source_kind": "Comes in on", "source_name": "Trunk or line name",
         "destination": "Destination", "recording": "Recording",
         "priority": "Priority (lower first)"},
        source_kind=_choice("", *SOURCE_KINDS), recording=_choice(*RECORDING_SETTINGS),
    ),
    columns=(("DID", lambda r: r.did or "*"), ("Caller", lambda r: r.caller or "*"),
             ("Source", lambda r: f"{r.source_kind or '*'} {r.source_name}".strip()),
             ("Destination", lambda r: r.destination), ("Recording", lambda r: r.recording or "-")),
    view=P.CALL_FLOWS_VIEW, edit=P.CALL_FLOWS_EDIT,
)  # fmt: skip

TIME_CONDITIONS = CatalogSection(
    kind="tc", key="time-conditions", title="Time conditions", noun="time condition", audit="tc",
    cls=TimeCondition,
    fields=fields_of(
        TimeCondition,
        {"schedule": 'Opening hours, e.g. "mon-fri 09:00-17:30" (one a line)',
         "holidays": "Holidays: 2026-12-25, 12-25 (yearly) or a..b (one a line)",
         "open_destination": "While open", "closed_destination": "While closed",
         "timezone": "Time zone (blank: the box's)",
         "feature_code": "Feature code to toggle night mode, e.g. *281"},
    ),
    columns=(("Opening hours", lambda c: _joined(c.schedule) or "always"),
             ("While open", lambda c: c.open_destination),
             ("While closed", lambda c: c.closed_destination)),
    view=P.CALL_FLOWS_VIEW, edit=P.CALL_FLOWS_EDIT, night_mode=True,
)  # fmt: skip

MENUS = CatalogSection(
    kind="ivr", key="ivr", title="IVR menus", noun="IVR menu", audit="ivr", cls=IvrMenu,
    fields=fields_of(
        IvrMenu,
        {"greeting": "Greeting prompts (one a line)", "options": "Keys: key -> destination",
         "direct_dial": "Extensions callers may dial directly, e.g. _1XXX",
         "timeout_s": "Wait for a first key (s)",
         "digit_timeout_s": "Wait for each further key (s)",
         "invalid_prompt": "Prompt after a wrong key", "timeout_prompt": "Prompt when no key came",
         "attempts": "Tries", "final_destination": "After the last try",
         "language": "Prompts' language (blank: the box's)"},
    ),
    columns=(("Greeting", lambda m: _joined(m.greeting)),
             ("Keys", lambda m: _joined(f"{k} -> {d}" for k, d in m.options.items())),
             ("After the last try", lambda m: m.final_destination)),
    view=P.CALL_FLOWS_VIEW, edit=P.CALL_FLOWS_EDIT, map_repeat=True,
)  # fmt: skip

ANNOUNCEMENTS = CatalogSection(
    kind="announce", key="announcements", title="Announcements", noun="announcement",
    audit="announce", cls=Announcement,
    fields=fields_of(
        Announcement,
        {"prompts": "Prompts (one a line)", "then": "Then",
         "language": "Prompts' language (blank: the box's)"},
    ),
    columns=(("Prompts", lambda a: _joined(a.prompts)), ("Then", lambda a: a.then)),
    view=P.CALL_FLOWS_VIEW, edit=P.CALL_FLOWS_EDIT,
)  # fmt: skip

SECTIONS = (TRUNKS, OUTBOUND_ROUTES, INBOUND_ROUTES, TIME_CONDITIONS, MENUS, ANNOUNCEMENTS)
