"""The Prompts page: the box's own prompts by language (recorded or spoken), uploads, speech."""

from pbx.api import AUDIO_FORMATS, MAX_UPLOAD_BYTES, PbxError
from webui.audio_files import send_wav
from webui.handler import PanelHandler, Refused
from webui.media_upload import UploadHandler

_PROMPT = r"(?P<prompt_name>[a-z][a-z0-9-]{0,31})"
_LANGUAGE = r"(?P<language>[a-z]{2,3}(?:-[a-z0-9]{2,8})?)"
PROMPT_PATH = f"/prompts/{_PROMPT}"
VERSION_PATH = f"{PROMPT_PATH}/{_LANGUAGE}"


def prompt_library(handler: PanelHandler):
    """The box's prompt library (404 on a box without one)."""
    if handler.api.prompts is None:
        raise Refused(404, "this box has no prompts")
    return handler.api.prompts


def prompt_dict(prompt) -> dict:
    """A prompt as the API and the page show it: each language's version and its URL."""
    versions = [
        {"language": language, "kind": "recording", "text": ""} for language in prompt.files
    ]
    versions += [
        {"language": language, "kind": "text", "text": text}
        for language, text in prompt.texts.items()
    ]
    for version in versions:
        version["audio"] = f"/prompts/{prompt.name}/{version['language']}/audio"
    return {"name": prompt.name, "versions": sorted(versions, key=lambda v: v["language"])}


def prompts_dict(library) -> dict:
    """Every prompt of the box's own, and the recorded sets installed (prompts by language)."""
    return {
        "language": library.language,
        "prompts": [prompt_dict(p) for p in library.prompts()],
        "recorded": library.recorded_counts(),
    }


async def show_prompts(
    handler: PanelHandler, *, error: str = "", status: int = 0, done: str = ""
) -> None:
    """The page, with the error or what was just done."""
    library = prompt_library(handler)
    handler.set_status(status or (400 if error else 200))
    handler.render(
        "prompts.html",
        **prompts_dict(library),
        error=error,
        done=done,
        formats=AUDIO_FORMATS,
        max_mb=MAX_UPLOAD_BYTES // (1024 * 1024),
    )


async def delete_prompt(handler: PanelHandler, name: str, language: str) -> None:
    """Remove a prompt (in one language, or all), unless a menu still needs it."""
    flows = handler.api.call_flows
    library = prompt_library(handler)
    change = flows.delete_prompt(name, language) if flows else library.delete(name, language)
    await handler.audited("prompt.delete", f"{name} {language or 'all'}".strip(), change)


class PromptsPage(PanelHandler):
    """GET: the box's prompts and the recorded languages."""

    async def get(self) -> None:
        saved = self.get_query_argument("saved", "")
        known = any(p.name == saved for p in prompt_library(self).prompts())
        await show_prompts(self, done=saved if known else "")


class PromptUpload(UploadHandler):
    """POST `name`, `language` and a `file`: converted and made that prompt's recording."""

    async def post(self) -> None:
        try:
            fields, data = await self.upload()
        except Refused as refused:
            if refused.status_code == 403:
                raise
            await show_prompts(self, error=refused.message, status=refused.status_code)
            return
        name, language = fields.get("name", "").strip(), fields.get("language", "").strip()
        try:
            change = prompt_library(self).upload(name, language, data)
            await self.audited("prompt.upload", f"{name} {language}".strip(), change)
        except PbxError as err:
            await show_prompts(self, error=str(err))
            return
        self.redirect(f"/prompts?saved={name}")  # a reload shows the page, changes nothing


class PromptText(PanelHandler):
    """POST `name`, `language` and `text`: the prompt is that text, spoken by espeak-ng."""

    async def post(self) -> None:
        name = self.get_body_argument("name", "").strip()
        language = self.get_body_argument("language", "").strip()
        text = self.get_body_argument("text", "")
        try:
            change = prompt_library(self).set_text(name, language, text)
            await self.audited("prompt.text", f"{name} {language}".strip(), change)
        except PbxError as err:
            await show_prompts(self, error=str(err))
            return
        self.redirect(f"/prompts?saved={name}")  # a reload shows the page, changes nothing


class PromptDelete(PanelHandler):
    """POST (`language`, blank for all): remove the prompt's version, or the prompt."""

    async def post(self, prompt_name: str) -> None:
        try:
            await delete_prompt(self, prompt_name, self.get_body_argument("language", "").strip())
        except PbxError as err:
            await show_prompts(self, error=str(err))
            return
        self.redirect("/prompts")


class PromptAudio(PanelHandler):
    """GET: one language's version of a prompt, as WAV, for the page's player."""

    async def get(self, prompt_name: str, language: str) -> None:
        await send_version(self, prompt_name, language)


async def send_version(handler: PanelHandler, name: str, language: str) -> None:
    """Send a prompt's version, found in the library's catalog (404 if there is none)."""
    try:
        path = await prompt_library(handler).version_file(name, language)
    except PbxError as err:
        raise Refused(404, str(err)) from None
    await send_wav(handler, path)
