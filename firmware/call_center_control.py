"""Control-socket commands for call flows, prompts and music on hold (`callbox route-in` ...).

Uploads arrive base64-encoded in the request: the CLI reads the file the user
names, so the daemon never opens a path a user chose.
"""

import base64
import binascii
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from firmware.control_values import moment_of
from pbx.api import ServiceApi
from pbx.call_flows import CallFlows
from pbx.catalog import Catalog, SettingError, to_settings
from pbx.moh_classes import MusicClass, MusicLibrary
from pbx.prompts import Prompt, PromptLibrary

Command = Callable[..., Awaitable[object]]


def _decoded(data: str) -> bytes:
    try:
        return base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError, TypeError):
        raise SettingError("the upload must arrive base64-encoded") from None


def _moment(at: str | None) -> datetime:
    return moment_of(at) if at else datetime.now(UTC)


def _catalog_commands(kind: str, catalog: Catalog, flows: CallFlows) -> dict[str, Command]:
    async def listed() -> list[dict]:
        return [to_settings(item) for item in catalog.items()]

    async def put(name: str, **settings: object) -> dict:
        return to_settings(await catalog.set(name, **settings))

    async def delete(name: str) -> dict:
        await flows.delete(kind, name)
        return {"name": name}

    return {f"{kind}.list": listed, f"{kind}.set": put, f"{kind}.del": delete}


def _flow_commands(flows: CallFlows) -> dict[str, Command]:
    commands: dict[str, Command] = {}
    for kind, catalog in flows.catalogs.items():
        commands |= _catalog_commands(kind, catalog, flows)

    async def override(name: str, override: str) -> dict:
        return to_settings(await flows.set_override(name, override))

    async def check(name: str, at: str | None = None) -> dict:
        return flows.time_condition_state(name, _moment(at))

    return commands | {"tc.override": override, "tc.check": check}


def _prompt_dict(prompt: Prompt) -> dict:
    versions = dict.fromkeys(prompt.files, "recording")
    versions |= {language: f"text: {text}" for language, text in prompt.texts.items()}
    return {"name": prompt.name, "languages": versions}


def _prompt_commands(prompts: PromptLibrary, flows: CallFlows) -> dict[str, Command]:
    async def listed() -> dict:
        return {
            "prompts": [_prompt_dict(p) for p in prompts.prompts()],
            "recorded_languages": prompts.recorded_languages(),
        }

    async def upload(name: str, language: str, data: str) -> dict:
        return _prompt_dict(await prompts.upload(name, language, _decoded(data)))

    async def text(name: str, language: str, text: str) -> dict:
        return _prompt_dict(await prompts.set_text(name, language, text))

    async def delete(name: str, language: str = "") -> dict:
        await flows.delete_prompt(name, language)
        return {"name": name}

    async def say(what: str, value: int, language: str = "") -> list[str]:
        if what not in ("number", "duration") or not isinstance(value, int):
            raise SettingError("say a number or a duration (whole seconds)")
        speak = prompts.say_number if what == "number" else prompts.say_duration
        return await speak(value, language)

    return {
        "prompt.list": listed,
        "prompt.upload": upload,
        "prompt.text": text,
        "prompt.del": delete,
        "prompt.say": say,
    }


def _music_dict(music: MusicClass, listeners: dict[str, int]) -> dict:
    return {**to_settings(music), "listeners": listeners.get(music.name, 0)}


def _music_commands(library: MusicLibrary) -> dict[str, Command]:
    def listeners() -> dict[str, int]:
        return library.moh.listeners() if library.moh is not None else {}

    async def listed() -> list[dict]:
        return [_music_dict(m, listeners()) for m in library.classes()]

    async def put(name: str, order: str = "ordered") -> dict:
        return _music_dict(await library.set_class(name, order), listeners())

    async def upload(name: str, title: str, data: str) -> dict:
        music, file = await library.upload(name, title, _decoded(data))
        return {**_music_dict(music, listeners()), "file": file}

    async def remove(name: str, file: str) -> dict:
        return _music_dict(await library.remove_file(name, file), listeners())

    async def delete(name: str) -> dict:
        await library.delete_class(name)
        return {"name": name}

    return {
        "moh.list": listed,
        "moh.set": put,
        "moh.upload": upload,
        "moh.remove": remove,
        "moh.del": delete,
    }


def call_center_commands(api: ServiceApi) -> dict[str, Command]:
    """Every call-center command by name, for the control server."""
    if api.call_flows is None or api.prompts is None or api.music is None:
        return {}
    return (
        _flow_commands(api.call_flows)
        | _prompt_commands(api.prompts, api.call_flows)
        | _music_commands(api.music)
    )
