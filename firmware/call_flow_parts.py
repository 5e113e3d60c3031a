"""The call flows wired together: inbound routes, time conditions, menus, prompts, music."""

from firmware.config import Config
from pbx.announcer import AnnouncementService
from pbx.bus import EventBus
from pbx.call_flows import ANNOUNCEMENT, MENU, TIME_CONDITION, CallFlows
from pbx.calls import CallService
from pbx.catalog import Catalog
from pbx.dialer import ExtensionDialer
from pbx.extension_service import ExtensionService
from pbx.inbound import InboundRouter
from pbx.ivr import IvrService
from pbx.keypad import Keypad
from pbx.moh import MusicOnHold
from pbx.moh_classes import MusicClass, MusicLibrary
from pbx.prompt_player import PromptPlayer
from pbx.prompts import Prompt, PromptLibrary
from pbx.ringback import ExtensionDestination, write_ringback
from pbx.sip import SipEngine
from pbx.speech import SpeechSynth
from pbx.store import Database
from pbx.store.config_objects import ConfigObjectStore
from pbx.time_condition_service import TimeConditionService
from pbx.transcoder import Transcoder
from pbx.trunk_service import TrunkService


class CallFlowParts:
    """Built in two steps: `loaded` reads the configuration objects before calls can
    arrive, `wire` plugs the destinations into the router once the call service exists.
    """

    def __init__(self, config: Config, database: Database, trunks: TrunkService) -> None:
        self._config = config
        data_dir = config.daemon.data_dir
        # The ringback callers already answered hear (written when wired).
        self.ringback = data_dir / "sounds" / "ringback.wav"
        store = ConfigObjectStore(database)
        # Uploads and speech are converted to the rate the bridge mixes at (8 or 16 kHz).
        rate_hz = 16000 if config.engine.clock_rate_hz >= 16000 else 8000
        transcoder = Transcoder(rate_hz, data_dir / "tmp")
        self.prompts = PromptLibrary(
            Catalog("prompt", Prompt, store),
            sounds_dir=config.prompts.sounds_dir,
            prompts_dir=data_dir / "prompts",
            speech=SpeechSynth(transcoder, data_dir / "prompts" / "speech"),
            transcoder=transcoder,
            language=config.prompts.language,
        )
        self.music = MusicLibrary(
            Catalog("moh", MusicClass, store), data_dir / "moh", config.moh.default_dir, transcoder
        )
        self.flows = CallFlows(store, self.prompts, lambda: _trunk_dids(trunks))

    @classmethod
    async def loaded(
        cls, config: Config, database: Database, trunks: TrunkService
    ) -> "CallFlowParts":
        """A call center with its prompts, music classes and call flows read in."""
        center = cls(config, database, trunks)
        await center.prompts.load()
        await center.music.load()
        await center.flows.load()
        return center

    def services(self) -> dict[str, object]:
        """What the service API offers of the call center, by its keyword names."""
        return {"call_flows": self.flows, "prompts": self.prompts, "music": self.music}

    def wire(
        self,
        engine: SipEngine,
        calls: CallService,
        bus: EventBus,
        *,
        inbound: InboundRouter,
        dialer: ExtensionDialer,
        extensions: ExtensionService,
    ) -> MusicOnHold:
        """Register every destination kind with the router, claim night-mode feature
        codes (after every other kind of call), and start music on hold."""
        player = PromptPlayer(calls, engine, bus)
        write_ringback(self.ringback, self._config.prompts.tone_country)
        flows, send = self.flows, inbound.send
        announcer = AnnouncementService(flows.announcements, calls, player, self.prompts, send=send)
        menus = IvrService(flows.menus, player, self.prompts, Keypad(bus), extensions, send=send)
        conditions = TimeConditionService(
            flows.time_conditions, calls, player, self.prompts, send=send
        )
        extension = ExtensionDestination(calls, dialer, player, self.ringback)
        inbound.add_destination("ext", extension.ring)
        inbound.add_destination("hangup", announcer.hang_up, bare=True)
        inbound.add_destination(ANNOUNCEMENT, announcer.play)
        inbound.add_destination(MENU, menus.run)
        inbound.add_destination(TIME_CONDITION, conditions.route)
        calls.add_offer_handler(conditions.offer)
        self.music.moh = MusicOnHold(engine, calls, bus, self.music.playlist)
        return self.music.moh


def _trunk_dids(trunks: TrunkService) -> list[tuple[str, str, str]]:
    return [(t.name, n, d) for t in trunks.trunks() for n, d in t.dids.items()]
