"""IVR menus at work: greet the caller, read the keys, and send the call where they choose."""

import logging
from collections.abc import Awaitable, Callable

from pbx.calls import Leg
from pbx.catalog import Catalog, SettingError
from pbx.extension_service import ExtensionService
from pbx.ivr_menu import REPEAT, IvrMenu
from pbx.keypad import Keypad, Keys
from pbx.prompt_player import PromptPlayer
from pbx.prompts import PromptLibrary

logger = logging.getLogger(__name__)

Send = Callable[[Leg, str], Awaitable[None]]
END_OF_NUMBER = "#"  # ends a directly dialled number without waiting


class IvrService:
    """Destination handler "ivr:<menu>".

    The greeting stops at the first key (barge-in), and keys typed ahead of a
    prompt count. After each key the menu waits `digit_timeout_s` for more only
    while a longer option or extension still begins with what was dialled, so
    "1" is taken at once unless extension "1001" may be meant. A submenu is
    just another destination: the caller's keys carry over to it.
    """

    def __init__(
        self,
        menus: Catalog[IvrMenu],
        player: PromptPlayer,
        prompts: PromptLibrary,
        keypad: Keypad,
        extensions: ExtensionService,
        *,
        send: Send,
    ) -> None:
        self._menus = menus
        self._player = player
        self._prompts = prompts
        self._keypad = keypad
        self._extensions = extensions
        self._send = send

    async def run(self, leg: Leg, name: str) -> None:
        """Answer `leg`, run menu `name` and send the call to the caller's choice."""
        try:
            menu = self._menus.get(name)
        except SettingError:
            logger.error("call %d: no IVR menu %s", leg.leg_id, name)
            await self._send(leg, "hangup")
            return
        with self._keypad.listening(leg) as keys:
            await self._player.answer(leg)
            destination = await self._choose(leg, menu, keys)
            logger.info("call %d: menu %s sends it to %s", leg.leg_id, name, destination)
            # Inside the listening block: keys typed for a submenu carry over.
            await self._send(leg, destination)

    async def _choose(self, leg: Leg, menu: IvrMenu, keys: Keys) -> str:
        """The destination the caller chooses, or the final one after `attempts` tries."""
        failures, notice = 0, ""
        while failures < menu.attempts:
            entry = await self._ask(leg, menu, keys, notice)
            destination = await self._destination(menu, entry) if entry else None
            if destination == REPEAT:
                notice = ""
                continue
            if destination:
                return destination
            failures += 1
            notice = menu.timeout_prompt if not entry else menu.invalid_prompt
            keys.clear()  # what was typed after a wrong key answers nothing
            logger.info("call %d: menu %s: %s", leg.leg_id, menu.name, entry or "no key")
        return menu.final_destination

    async def _ask(self, leg: Leg, menu: IvrMenu, keys: Keys, notice: str) -> str:
        """Play the greeting (after `notice`, if any) and read what the caller dials;
        "" if nothing came in time."""
        names = ((notice,) if notice else ()) + menu.greeting
        await self._player.play(leg, await self._prompts.files(names, menu.language), keys)
        entry = await keys.next(menu.timeout_s)
        if entry is None:
            return ""
        candidates = await self._candidates(menu)
        while any(c != entry and c.startswith(entry) for c in candidates):
            more = await keys.next(menu.digit_timeout_s)
            if more is None:
                break
            if more == END_OF_NUMBER and not any(c.startswith(entry + more) for c in candidates):
                break  # "#" ends the number at once
            entry += more
        return entry

    async def _candidates(self, menu: IvrMenu) -> set[str]:
        """What a caller may dial in `menu`: its option keys and direct-dial extensions."""
        candidates = set(menu.options)
        if menu.direct_dial:
            numbers = [ext.number for ext in await self._extensions.list()]
            candidates |= {number for number in numbers if menu.fits_direct_dial(number)}
        return candidates

    async def _destination(self, menu: IvrMenu, entry: str) -> str | None:
        if entry in menu.options:
            return menu.options[entry]
        if menu.fits_direct_dial(entry) and entry in await self._candidates(menu):
            return f"ext:{entry}"
        return None
