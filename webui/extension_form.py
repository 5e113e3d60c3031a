"""Extensions as the panel and the API show and take them."""

import dataclasses

from pbx.api import Extension, ExtensionError, Registration

# What a form or an API request may change on an extension.
CHANGEABLE = ("name", "caller_id_name", "caller_id_number", "permission", "max_calls", "recording")


def extension_dict(extension: Extension, registrations: list[Registration]) -> dict:
    """An extension as JSON, with the phones registered for it now."""
    return {
        **dataclasses.asdict(extension),
        "permission": extension.permission.name.lower(),
        "registered": bool(registrations),
        "registrations": [
            {"contact": r.contact, "user_agent": r.user_agent, "expires": r.expires}
            for r in registrations
        ],
    }


def by_number(registrations: list[Registration]) -> dict[str, list[Registration]]:
    """Registrations grouped by extension number."""
    grouped: dict[str, list[Registration]] = {}
    for registration in registrations:
        grouped.setdefault(registration.number, []).append(registration)
    return grouped


def settings(values: dict, allowed: tuple[str, ...]) -> dict:
    """The settings in `values` (a form's or a JSON body's), checked for name and type.

    Blank form fields are left out: they mean "as it is" (or the default), except
    `recording`, where blank is a choice of its own (the box's default policy).
    """
    unknown = sorted(set(values) - set(allowed))
    if unknown:
        raise ExtensionError(f"unknown setting(s): {', '.join(unknown)}")
    checked = {}
    for key, value in values.items():
        if value is None or (value == "" and key != "recording"):
            continue
        if key == "max_calls":
            checked[key] = _integer(value)
        elif key == "new_secret":
            if not isinstance(value, bool):
                raise ExtensionError("new_secret must be true or false")
            checked[key] = value
        elif not isinstance(value, str):
            raise ExtensionError(f"{key} must be text")
        else:
            checked[key] = value
    return checked


def _integer(value: object) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    raise ExtensionError("max_calls must be a whole number")
