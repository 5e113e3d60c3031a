"""Call flows: inbound routes, time conditions, menus and announcements, checked as one.

Each kind is a Catalog; this module adds what spans them: a destination must
name an existing menu, time condition or announcement, a prompt must exist, and
nothing still in use can be removed.
"""

from collections.abc import Callable
from datetime import datetime

from pbx.announcements import Announcement
from pbx.catalog import Catalog, SettingError, destinations_of, prompts_of
from pbx.inbound_routes import InboundRoute
from pbx.ivr_menu import REPEAT, IvrMenu
from pbx.prompts import PromptLibrary
from pbx.store.config_objects import ConfigObjectStore
from pbx.time_conditions import OVERRIDES, TimeCondition
from pbx.trunks import parse_destination

# Destinations' own kind names, which are also the catalogs' (and the CLI's) names.
ROUTE, TIME_CONDITION, MENU, ANNOUNCEMENT = "route-in", "tc", "ivr", "announce"


class CallFlows:
    """Every call-flow object, in memory for calls and in the database.

    `trunk_dids` gives each trunk's DID list as (trunk, number, destination), so
    a menu a trunk's DID leads to cannot be removed either.
    """

    def __init__(
        self,
        store: ConfigObjectStore,
        prompts: PromptLibrary,
        trunk_dids: Callable[[], list[tuple[str, str, str]]] = list,
    ) -> None:
        self._prompts = prompts
        self._trunk_dids = trunk_dids
        self.routes = Catalog(ROUTE, InboundRoute, store, self._checker(ROUTE))
        self.time_conditions = Catalog(
            TIME_CONDITION, TimeCondition, store, self._checker(TIME_CONDITION)
        )
        self.menus = Catalog(MENU, IvrMenu, store, self._checker(MENU))
        self.announcements = Catalog(ANNOUNCEMENT, Announcement, store, self._checker(ANNOUNCEMENT))
        self.catalogs: dict[str, Catalog] = {
            ROUTE: self.routes,
            TIME_CONDITION: self.time_conditions,
            MENU: self.menus,
            ANNOUNCEMENT: self.announcements,
        }

    async def load(self) -> None:
        """Read every object from the database."""
        for catalog in self.catalogs.values():
            await catalog.load()

    def _checker(self, kind: str) -> Callable[[object], None]:
        return lambda item: self._check_references(kind, item)

    def _check_references(self, kind: str, item: object) -> None:
        """What `item` names exists (it may name itself: a menu's "back to the top")."""
        for setting, destination in destinations_of(item):
            if destination == REPEAT:
                continue
            target_kind, target = parse_destination(destination)
            catalog = self.catalogs.get(target_kind)
            itself = target_kind == kind and target == item.name
            if catalog is not None and target not in catalog and not itself:
                raise SettingError(f"{setting}: there is no {target_kind} {target}")
        for setting, name in prompts_of(item):
            if not self._prompts.exists(name):
                raise SettingError(f"{setting}: there is no prompt {name!r}")
        code = getattr(item, "feature_code", "")
        taken = [c.name for c in self.time_conditions.items() if c.feature_code == code]
        if code and taken and taken != [item.name]:
            raise SettingError(f"feature code {code} is taken by tc {taken[0]}")

    def users_of(self, destination: str) -> list[str]:
        """What sends calls to `destination` ("ivr:main"): "route-in x", "ivr main" ..."""
        users = [
            f"{kind} {item.name}"
            for kind, catalog in self.catalogs.items()
            for item in catalog.items()
            if any(target == destination for _, target in destinations_of(item))
        ]
        users += [f"trunk {t} DID {n}" for t, n, d in self._trunk_dids() if d == destination]
        return users

    def prompt_users(self, name: str) -> list[str]:
        """What plays prompt `name`."""
        return [
            f"{kind} {item.name}"
            for kind, catalog in self.catalogs.items()
            for item in catalog.items()
            if any(prompt == name for _, prompt in prompts_of(item))
        ]

    async def delete(self, kind: str, name: str) -> None:
        """Remove object `name` of `kind`, unless something still sends calls to it."""
        catalog = self.catalog(kind)
        catalog.get(name)
        users = [u for u in self.users_of(f"{kind}:{name}") if u != f"{kind} {name}"]
        if users:
            raise SettingError(f"{kind} {name} is in use by {', '.join(users)}")
        await catalog.delete(name)

    async def delete_prompt(self, name: str, language: str = "") -> None:
        """Remove a prompt (in one language, or all), unless that silences a menu."""
        prompt = next((p for p in self._prompts.prompts() if p.name == name), None)
        last = prompt is not None and (not language or {*prompt.files, *prompt.texts} == {language})
        users = self.prompt_users(name) if last else []
        if users:
            raise SettingError(f"prompt {name} is in use by {', '.join(users)}")
        await self._prompts.delete(name, language)

    def catalog(self, kind: str) -> Catalog:
        """The catalog of `kind` ("route-in", "tc", "ivr", "announce")."""
        try:
            return self.catalogs[kind]
        except KeyError:
            raise SettingError(f"no kind {kind!r}; kinds: {', '.join(self.catalogs)}") from None

    async def set_override(self, name: str, override: str) -> TimeCondition:
        """Force time condition `name` "closed" (night mode) or "open", or back to "auto"."""
        if override not in OVERRIDES:
            raise SettingError(f"override must be one of {', '.join(OVERRIDES)}")
        return await self.time_conditions.set(name, override=override)

    def time_condition_state(self, name: str, at: datetime) -> dict:
        """What time condition `name` decides at `at`: open, why, destination."""
        condition = self.time_conditions.get(name)
        is_open, why = condition.state_at(at)
        return {
            "name": name,
            "at": at.isoformat(timespec="seconds"),
            "open": is_open,
            "why": why,
            "destination": condition.destination_at(at),
        }
