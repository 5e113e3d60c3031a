"""The live wallboard: queue figures for a wall TV, pushed over a WebSocket as they change.

One feed per panel makes the snapshot and sends it to every open wallboard: at
once after a burst of queue events (callers joining, agents pausing ...), and
on a periodic tick that keeps the waiting clocks and agents' call states fresh.
The socket is a PanelHandler like any page, so the route table's session and
permission checks guard it; Origin must be the panel's own, so another site
cannot open it with a visitor's cookie (cross-site WebSocket hijacking).
"""

import asyncio
import json
import logging
import urllib.parse

import tornado.websocket

from pbx.api import Permission, QueueEvent, ServiceApi, role_allows
from webui.dashboard_page import live_words
from webui.handler import SESSION_COOKIE, ApiHandler, PanelHandler, Refused
from webui.live_data import STATE_LABELS, WALL_COLUMNS, wallboard

logger = logging.getLogger(__name__)
TICK_S = 5.0  # a fresh snapshot at least this often, events or not; sessions checked as often
SIGNED_OUT = 4001  # the close code telling the page to reload (and so reach the log-in page)
_SETTLE_S = 0.2  # events within this are one push (a call answered: connect + state changes)


class WallboardFeed:
    """Pushes wallboard snapshots to the open sockets; watches queues only while one is open."""

    def __init__(self, api: ServiceApi, tick_s: float = TICK_S) -> None:
        self._api = api
        self._tick_s = tick_s
        self._sockets: set[WallboardSocket] = set()
        self._unwatch = None
        self._ticker: asyncio.Task | None = None
        self._pending: asyncio.TimerHandle | None = None
        self._pushing: set[asyncio.Task] = set()

    def join(self, socket: "WallboardSocket") -> None:
        """Send `socket` every snapshot from now on."""
        self._sockets.add(socket)
        if self._unwatch is None:
            self._unwatch = self._api.watch_queues(self._on_event)
            self._ticker = asyncio.get_running_loop().create_task(self._tick())

    def leave(self, socket: "WallboardSocket") -> None:
        """Stop sending to `socket`; with none left, stop watching."""
        self._sockets.discard(socket)
        if self._sockets or self._unwatch is None:
            return
        self._unwatch()
        self._unwatch = None
        if self._ticker is not None:
            self._ticker.cancel()
        if self._pending is not None:
            self._pending.cancel()
            self._pending = None

    def _on_event(self, _event: QueueEvent) -> None:
        if self._pending is None:
            self._pending = asyncio.get_running_loop().call_later(_SETTLE_S, self._push_soon)

    def _push_soon(self) -> None:
        task = asyncio.get_running_loop().create_task(self.push())
        self._pushing.add(task)  # held until done: the loop keeps only weak references
        task.add_done_callback(self._pushing.discard)

    async def _tick(self) -> None:
        while True:
            await asyncio.sleep(self._tick_s)
            for socket in list(self._sockets):
                if not await socket.still_allowed():
                    socket.close(SIGNED_OUT, "signed out")
                    self.leave(socket)
            await self.push()

    async def push(self) -> None:
        """Make one snapshot and send it to every open wallboard."""
        self._pending = None
        if not self._sockets:
            return
        try:
            message = json.dumps(await wallboard(self._api))
        except Exception:
            logger.exception("wallboard snapshot failed")
            return
        for socket in list(self._sockets):
            try:
                await socket.write_message(message)
            except tornado.websocket.WebSocketClosedError:
                self.leave(socket)


def feed_of(handler: PanelHandler) -> WallboardFeed:
    """The panel's one feed (made with the first wallboard)."""
    settings = handler.application.settings
    if "wallboard_feed" not in settings:
        settings["wallboard_feed"] = WallboardFeed(handler.api)
    return settings["wallboard_feed"]


class WallboardPage(PanelHandler):
    """GET: the full-screen wallboard; its script opens /ws/wallboard."""

    async def get(self) -> None:
        self.render(
            "wallboard.html",
            board=await wallboard(self.api),
            words=live_words(self.translate),
            clock=wait_clock,
            columns=WALL_COLUMNS,
            labels=STATE_LABELS,
            percent=lambda share: "-" if share is None else f"{share * 100:.0f} %",
        )


def wait_clock(seconds: float) -> str:
    """A wait as m:ss (h:mm:ss past an hour), as the wall shows it."""
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


class WallboardApi(ApiHandler):
    """GET: the wallboard's snapshot as JSON (what the socket pushes)."""

    async def get(self) -> None:
        self.finish(await wallboard(self.api))


class WallboardSocket(tornado.websocket.WebSocketHandler, PanelHandler):
    """GET (upgrade): the wallboard's snapshots, pushed. The browser sends nothing."""

    async def prepare(self) -> None:
        await super().prepare()  # the session and wallboard.view, as for any page
        # Tornado lets an Origin naming this host:port over plain HTTP through; the
        # panel's pages are HTTPS only, so this is stricter: scheme, host and port.
        origin = self.request.headers.get("Origin")
        if origin is not None and not self.check_origin(origin):
            raise Refused(403, "the wallboard opens only from this panel's own pages")

    def check_origin(self, origin: str) -> bool:
        """Only pages of this panel (same scheme, host and port) may open the socket."""
        parsed = urllib.parse.urlsplit(origin)
        return parsed.scheme == "https" and parsed.netloc.lower() == self.request.host.lower()

    async def still_allowed(self) -> bool:
        """Whether the session is still live and its role may see the wallboard. Asked at
        each tick: sign-out, a removed user or a new role closes the socket, and an open
        wallboard keeps its session from idling out (the absolute timeout still holds)."""
        session_id = self.get_cookie(SESSION_COOKIE)
        principal = await self.web.access.principal(session_id) if session_id else None
        return principal is not None and role_allows(principal.role, Permission.WALLBOARD_VIEW)

    async def open(self) -> None:
        feed = feed_of(self)
        feed.join(self)
        await self.write_message(json.dumps(await wallboard(self.api)))

    def on_message(self, message: str | bytes) -> None:
        pass  # the wallboard only listens

    def on_close(self) -> None:
        feed_of(self).leave(self)
