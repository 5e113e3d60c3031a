"""The System page: time and NTP, network, WireGuard peers, backup, firmware, reboot, reset."""

from pbx.api import PbxError, Permission
from webui.handler import PanelHandler, Refused
from webui.system_api import backup_name
from webui.system_view import ERASE, ZONES, confirmed_erase, send_file


class _SystemHandler(PanelHandler):
    """What the System page's handlers share: the page, rendered after each form."""

    async def show(self, *, error: str = "", new_peer=None, done: str = "") -> None:
        """The page, with the error of the last form, a peer just added, or what was done."""
        self.set_status(400 if error else 200)
        self.render(
            "system.html",
            status=await self.api.system.status(),
            error=error,
            new_peer=new_peer,
            done=done,
            zones=ZONES,
            erase=ERASE,
            manage=self.allowed(Permission.SYSTEM_MANAGE),
            restart=self.allowed(Permission.SYSTEM_RESTART),
        )

    def field(self, name: str) -> str:
        return self.get_body_argument(name, "")

    async def change(self, action: str, target: str, change, done: str) -> None:
        """Carry out and audit `change`; the page again, with what was done or what was wrong."""
        try:
            await self.audited(action, target, change)
        except PbxError as err:
            await self.show(error=str(err))
            return
        await self.show(done=done)


class SystemPage(_SystemHandler):
    """GET: every setting, the box's time and addresses now, and the forms a role may use."""

    async def get(self) -> None:
        await self.show()


class TimeAction(_SystemHandler):
    """POST: the time zone and NTP servers."""

    async def post(self) -> None:
        change = self.api.system.set_time(self.field("zone"), self.field("ntp"))
        await self.change("system.time", "", change, "Time settings saved.")


class NetworkAction(_SystemHandler):
    """POST: DHCP, or a static address, gateway and DNS servers."""

    async def post(self) -> None:
        f = self.field
        change = self.api.system.set_network(f("mode"), f("address"), f("gateway"), f("dns"))
        await self.change("system.network", "", change, "Network settings saved.")


class VpnAction(_SystemHandler):
    """POST: the VPN on or off, its address, port and endpoint."""

    async def post(self) -> None:
        f = self.field
        enabled = f("enabled") == "on"
        change = self.api.system.set_vpn(enabled, f("address"), f("port"), f("endpoint"))
        await self.change("system.vpn", "", change, "VPN settings saved.")


class PeerAdd(_SystemHandler):
    """POST: a new peer; the page shows its configuration and QR code this once."""

    async def post(self) -> None:
        name = self.field("name")
        try:
            made = self.api.system.add_peer(name, self.field("address"))
            new_peer = await self.audited("system.vpn.peer.add", name[:32], made)
        except PbxError as err:
            await self.show(error=str(err))
            return
        await self.show(new_peer=new_peer)


class PeerDelete(_SystemHandler):
    """POST: remove a peer."""

    async def post(self, peer: str) -> None:
        try:
            await self.audited("system.vpn.peer.remove", peer, self.api.system.remove_peer(peer))
        except PbxError as err:
            raise Refused(404, str(err)) from None
        self.redirect("/system")


class BackupDownload(_SystemHandler):
    """POST: the signed backup archive, as a download."""

    async def post(self) -> None:
        recordings = self.field("recordings") == "on"
        try:
            made = self.api.system.backup(self.field("passphrase"), recordings)
            path = await self.audited(
                "system.backup", "with recordings" if recordings else "", made
            )
        except PbxError as err:
            await self.show(error=str(err))
            return
        await send_file(self, path, backup_name())


class RebootAction(_SystemHandler):
    """POST, with the confirmation box ticked: reboot."""

    async def post(self) -> None:
        if self.field("confirm") != "yes":
            await self.show(error="Tick the box to confirm the reboot.")
            return
        await self.audited("system.reboot", "", self.api.system.reboot())
        await self.show(done="The box is rebooting. Reload this page in a minute.")


class FactoryResetAction(_SystemHandler):
    """POST, with ERASE typed: wipe and start afresh (first start, a new setup token)."""

    async def post(self) -> None:
        if not confirmed_erase(self.field("confirm")):
            await self.show(error="Type ERASE to confirm the factory reset.")
            return
        await self.audited("system.factory-reset", "", self.api.system.factory_reset())
        await self.show(done="The box is erasing its data and restarting.")
