"""The call-routing sections' URLs, handlers and permissions, for the route table.

Each section gets its own handler classes (so the route table names each one),
made from the shared page and API handlers.
"""

from pbx.api import Permission
from webui.call_flow_api import NightModeApi, SectionApi, SectionItemApi
from webui.call_flow_pages import (
    ITEM,
    NightModeSwitch,
    SectionDelete,
    SectionItemPage,
    SectionPage,
)
from webui.call_flow_sections import SECTIONS, TIME_CONDITIONS, Section
from webui.destination_field import DestinationsApi
from webui.handler import PanelHandler

P = Permission
RouteSpec = tuple[str, type[PanelHandler], dict[str, Permission]]


def _handler(base: type, section: Section, suffix: str) -> type:
    name = "".join(part.title() for part in section.key.split("-")) + suffix
    return type(name, (base,), {"section": section, "__doc__": base.__doc__})


def _section_routes(s: Section) -> list[RouteSpec]:
    view, edit = s.view, s.edit
    return [
        (f"/{s.key}", _handler(SectionPage, s, "Page"), {"GET": view, "POST": edit}),
        (f"/{s.key}/{ITEM}", _handler(SectionItemPage, s, "ItemPage"), {"GET": view, "POST": edit}),
        (f"/{s.key}/{ITEM}/delete", _handler(SectionDelete, s, "Delete"), {"POST": edit}),
        (f"/api/{s.key}", _handler(SectionApi, s, "Api"), {"GET": view, "POST": edit}),
        (
            f"/api/{s.key}/{ITEM}",
            _handler(SectionItemApi, s, "ItemApi"),
            {"GET": view, "PUT": edit, "DELETE": edit},
        ),
    ]


def call_flow_routes() -> list[RouteSpec]:
    """Every call-routing URL: the sections', night mode's, and the destinations list."""
    routes = [spec for section in SECTIONS for spec in _section_routes(section)]
    tc = TIME_CONDITIONS
    night = f"{tc.key}/{ITEM}/night"
    routes += [
        (f"/{night}", _handler(NightModeSwitch, tc, "Night"), {"POST": P.NIGHT_MODE}),
        (f"/api/{night}", _handler(NightModeApi, tc, "NightApi"), {"PUT": P.NIGHT_MODE}),
        ("/api/destinations", DestinationsApi, {"GET": P.CALL_FLOWS_VIEW}),
    ]
    return routes
