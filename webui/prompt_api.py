"""/api/prompts: the Prompts page's operations as JSON, for API tokens and scripts."""

from pbx.api import PbxError
from webui.handler import ApiHandler, Refused
from webui.media_upload import UploadHandler
from webui.prompt_pages import (
    delete_prompt,
    prompt_dict,
    prompt_library,
    prompts_dict,
    send_version,
)


class PromptsApi(ApiHandler):
    """GET: the box's prompts by language, and the recorded sets installed."""

    async def get(self) -> None:
        self.finish(prompts_dict(prompt_library(self)))


class PromptApi(ApiHandler):
    """DELETE: a prompt in every language (refused while a menu or announcement uses it)."""

    async def delete(self, prompt_name: str) -> None:
        await _deleted(self, prompt_name, "")


class PromptVersionApi(ApiHandler):
    """PUT {"text": ...}: the version is that text, spoken. DELETE: remove the version."""

    async def put(self, prompt_name: str, language: str) -> None:
        text = self.json_body().get("text", "")
        if not isinstance(text, str):
            raise Refused(400, "text must be text")
        try:
            change = prompt_library(self).set_text(prompt_name, language, text)
            prompt = await self.audited("prompt.text", f"{prompt_name} {language}", change)
        except PbxError as err:
            raise Refused(400, str(err)) from None
        self.finish(prompt_dict(prompt))

    async def delete(self, prompt_name: str, language: str) -> None:
        await _deleted(self, prompt_name, language)


class PromptUploadApi(UploadHandler):
    """POST a file (the body, or a form's `file`): 201, the version is its recording."""

    api_style = True

    async def post(self, prompt_name: str, language: str) -> None:
        _, data = await self.upload()
        try:
            change = prompt_library(self).upload(prompt_name, language, data)
            prompt = await self.audited("prompt.upload", f"{prompt_name} {language}", change)
        except PbxError as err:
            raise Refused(400, str(err)) from None
        self.set_status(201)
        self.finish(prompt_dict(prompt))


class PromptAudioApi(ApiHandler):
    """GET: the version as WAV."""

    async def get(self, prompt_name: str, language: str) -> None:
        await send_version(self, prompt_name, language)


async def _deleted(handler: ApiHandler, name: str, language: str) -> None:
    try:
        await delete_prompt(handler, name, language)
    except PbxError as err:
        raise Refused(400, str(err)) from None
    handler.set_status(204)
    handler.finish()
