"""Queue callbacks: calling a caller back the way they came, when their turn comes."""

import contextlib
import logging
from collections.abc import Callable

from pbx.calls import CallService, Leg, wait_any
from pbx.extensions import REALM
from pbx.queues.call_queue import Entry
from pbx.queues.settings import QueueSettings
from pbx.sip import EngineError, LegGone
from pbx.trunk_service import TrunkService
from pbx.trunks import TrunkError

logger = logging.getLogger(__name__)
CALLBACK_RING_S = 30.0  # how long a caller's phone rings when called back


class CallbackDialer:
    """Places the callback: through the trunk the caller came in on, to the number they
    called from (as the provider presented it), or to the extension that called."""

    def __init__(
        self, calls: CallService, trunks: TrunkService, edge_uri: Callable[[str], str]
    ) -> None:
        self._calls = calls
        self._trunks = trunks
        self._edge_uri = edge_uri

    async def call(self, entry: Entry, queue: QueueSettings) -> Leg | None:
        """Ring the caller back; their answered leg, or None (no answer, no way back)."""
        # The callback joins the caller's first call in the records, and shows the queue.
        stub = Leg(0, "inbound", queue.number, queue.name, call_uid=entry.call_uid)
        try:
            place = (
                self._through_trunk(entry, queue)
                if entry.trunk
                else self._to_extension(entry, queue)
            )
        except TrunkError as err:
            logger.warning("callback to %s impossible: %s", entry.number, err)
            return None
        try:
            leg = await self._calls.place(for_leg=stub, **place)
        except EngineError as err:
            logger.warning("callback to %s failed: %s", entry.number, err)
            return None
        if not await wait_any(leg.answered, leg.ended, timeout_s=CALLBACK_RING_S) or (
            not leg.answered.is_set()
        ):
            with contextlib.suppress(EngineError):
                await self._calls.hangup(leg.leg_id)
            return None
        try:
            await self._calls.wait_media(leg.leg_id)
        except LegGone:
            return None
        return leg

    def _to_extension(self, entry: Entry, queue: QueueSettings) -> dict:
        return {
            "uri": self._edge_uri(entry.extension),
            "dialled": entry.extension,
            "from_uri": f'"{queue.name}" <sip:{queue.number or queue.name}@{REALM}>',
            "extension": entry.extension,
        }

    def _through_trunk(self, entry: Entry, queue: QueueSettings) -> dict:
        trunk = self._trunks.get(entry.trunk)
        if not trunk.enabled:
            raise TrunkError(f"trunk {trunk.name} is out of service")
        domain = trunk.sip_domain
        presented = trunk.caller_id or queue.number or "anonymous"
        return {
            "uri": f"sip:{entry.number}@{domain}",
            "dialled": entry.number,
            "from_uri": f'"{queue.name}" <sip:{trunk.from_user or presented}@{domain}>',
            "trunk": trunk.name,
            "headers": {
                "X-Callbox-Route": trunk.proxy_uri,
                "P-Asserted-Identity": f"<sip:{presented}@{domain}>",
            },
        }
