"""Recording policies: which calls are recorded, and how long their recordings are kept."""

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field, replace
from enum import StrEnum

from pbx.extension_service import ExtensionService
from pbx.extensions import ExtensionError


class RecordingMode(StrEnum):
    """Whether a call is recorded: never, when a party keys the feature code, or always."""

    NEVER = "never"
    ON_DEMAND = "on-demand"
    ALWAYS = "always"


_STRENGTH = {RecordingMode.NEVER: 0, RecordingMode.ON_DEMAND: 1, RecordingMode.ALWAYS: 2}


@dataclass(frozen=True)
class Retention:
    """How long a policy's recordings are kept: `days` (0: no age limit), and at most
    `quota_bytes` of them (0: no quota), the oldest deleted first."""

    days: int = 0
    quota_bytes: int = 0


@dataclass(frozen=True)
class RecordingPolicy:
    """How a call is recorded.

    `name` is the class whose retention and quota its recordings count against;
    every extension's policy is in the box's "default" class, a queue or a route
    may bring its own. `two_channel` adds a file with the caller on the left
    and the answering side on the right.
    """

    mode: RecordingMode
    name: str = "default"
    two_channel: bool = False
    retention: Retention = field(default_factory=Retention)


@dataclass(frozen=True)
class Scope:
    """Something a call passes through that may have a recording policy."""

    kind: str  # "extension", "queue", "route"
    key: str  # the extension number, route or queue name


# A lookup answers for one kind of scope: the policy of `key`, or None when it
# has no opinion (the default applies).
PolicyLookup = Callable[[str], Awaitable[RecordingPolicy | None]]


class RecordingPolicies:
    """Resolves a call's recording policy from the scopes it passes through.

    Each kind of scope registers a lookup (`add_kind`). Of the scopes that have
    a policy, the strongest mode wins (always > on-demand > never), so a call
    is recorded if any party or queue it touches must be; ties go to the first
    scope given. With no policy anywhere the box's default applies.
    """

    def __init__(self, default: RecordingPolicy) -> None:
        self.default = default
        self._lookups: dict[str, PolicyLookup] = {}
        self._classes: dict[str, Retention] = {default.name: default.retention}
        self._class_sources: list[Callable[[], dict[str, Retention]]] = []

    def add_kind(self, kind: str, lookup: PolicyLookup) -> None:
        """Let scopes of `kind` have policies, found by `lookup`."""
        self._lookups[kind] = lookup

    def add_class(self, name: str, retention: Retention) -> None:
        """Declare a retention class (a queue's, say) and its limits."""
        self._classes[name] = retention

    def add_classes(self, classes: Callable[[], dict[str, Retention]]) -> None:
        """Declare retention classes that come and go with their owners' settings (a
        queue's own limits): `classes()` gives them as they are now."""
        self._class_sources.append(classes)

    def retention_of(self, name: str) -> Retention:
        """The limits of a retention class; an unknown one has the default's."""
        if name in self._classes:
            return self._classes[name]
        for source in self._class_sources:
            if (retention := source().get(name)) is not None:
                return retention
        return self.default.retention

    async def policy_of(self, scope: Scope) -> RecordingPolicy | None:
        """The policy a scope sets itself, or None."""
        lookup = self._lookups.get(scope.kind)
        return None if lookup is None else await lookup(scope.key)

    async def resolve(self, scopes: Iterable[Scope]) -> RecordingPolicy:
        """The policy of a call passing through `scopes`."""
        chosen: RecordingPolicy | None = None
        for scope in scopes:
            policy = await self.policy_of(scope)
            if policy is not None and (
                chosen is None or _STRENGTH[policy.mode] > _STRENGTH[chosen.mode]
            ):
                chosen = policy
        return chosen or self.default


def extension_policies(extensions: ExtensionService, default: RecordingPolicy) -> PolicyLookup:
    """The lookup of extensions' policies: the default's class and files, their own mode.

    An extension set to "" has no opinion; so has a number that is no extension.
    """

    async def lookup(number: str) -> RecordingPolicy | None:
        try:
            setting = (await extensions.get(number)).recording
        except ExtensionError:
            return None
        return replace(default, mode=RecordingMode(setting)) if setting else None

    return lookup
