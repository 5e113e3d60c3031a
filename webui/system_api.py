"""/api/system/...: the System page's operations as JSON, for API tokens and scripts."""

import time

from pbx.api import PbxError
from webui.handler import ApiHandler, Refused
from webui.system_view import confirmed_erase, only, peer_dict, send_file, status_dict


class SystemApi(ApiHandler):
    """GET: time, network (with the addresses now), VPN, firmware."""

    async def get(self) -> None:
        self.finish(status_dict(await self.api.system.status()))


class _Change(ApiHandler):
    """A PUT of one group of settings: checked by the service, audited, answered as saved."""

    fields: tuple[str, ...] = ()
    action = ""

    async def put(self) -> None:
        values = only(self.json_body(), self.fields)
        try:
            await self.audited(self.action, "", self.change(values))
        except PbxError as err:
            raise Refused(400, str(err)) from None
        self.finish(status_dict(await self.api.system.status()))

    def change(self, values: dict):
        raise NotImplementedError


class TimeApi(_Change):
    """PUT {"zone": "Europe/London", "ntp": ["0.pool.ntp.org"]}."""

    fields, action = ("zone", "ntp"), "system.time"

    def change(self, values: dict):
        return self.api.system.set_time(values.get("zone"), values.get("ntp"))


class NetworkApi(_Change):
    """PUT {"mode": "dhcp"} or {"mode": "static", "address", "gateway", "dns": [...]}."""

    fields, action = ("mode", "address", "gateway", "dns"), "system.network"

    def change(self, values: dict):
        return self.api.system.set_network(
            values.get("mode"), values.get("address", ""), values.get("gateway", ""),
            values.get("dns", ""),
        )  # fmt: skip


class VpnApi(_Change):
    """PUT {"enabled": true, "address": "10.8.0.1/24", "port": 51820, "endpoint": "..."}."""

    fields, action = ("enabled", "address", "port", "endpoint"), "system.vpn"

    def change(self, values: dict):
        vpn = self.api.system.settings.vpn
        return self.api.system.set_vpn(
            values.get("enabled", vpn.enabled), values.get("address", vpn.address),
            values.get("port", vpn.port), values.get("endpoint", vpn.endpoint),
        )  # fmt: skip


class PeersApi(ApiHandler):
    """POST {"name": "ann-phone", "address": ""}: 201 with its client config and QR, once."""

    async def post(self) -> None:
        values = only(self.json_body(), ("name", "address"))
        name = values.get("name")
        try:
            made = self.api.system.add_peer(name, values.get("address", ""))
            new_peer = await self.audited("system.vpn.peer.add", str(name)[:32], made)
        except PbxError as err:
            raise Refused(400, str(err)) from None
        self.set_status(201)
        self.finish(peer_dict(new_peer))


class PeerApi(ApiHandler):
    """DELETE: the peer can no longer reach the box."""

    async def delete(self, peer: str) -> None:
        try:
            await self.audited("system.vpn.peer.remove", peer, self.api.system.remove_peer(peer))
        except PbxError as err:
            raise Refused(404, str(err)) from None
        self.set_status(204)
        self.finish()


class BackupApi(ApiHandler):
    """POST {"passphrase": "...", "recordings": false}: the signed archive, as a download."""

    async def post(self) -> None:
        values = only(self.json_body(), ("passphrase", "recordings"))
        recordings = values.get("recordings", False)
        if not isinstance(recordings, bool):
            raise Refused(400, "recordings must be true or false")
        target = "with recordings" if recordings else ""
        try:
            made = self.api.system.backup(values.get("passphrase"), recordings)
            path = await self.audited("system.backup", target, made)
        except PbxError as err:
            raise Refused(400, str(err)) from None
        await send_file(self, path, backup_name())


def backup_name() -> str:
    return time.strftime("callbox-backup-%Y%m%d-%H%M.tar.gz", time.gmtime())


class RebootApi(ApiHandler):
    """POST {"confirm": true}: 202, then the box reboots."""

    async def post(self) -> None:
        if only(self.json_body(), ("confirm",)).get("confirm") is not True:
            raise Refused(400, 'confirm the reboot: {"confirm": true}')
        await self.audited("system.reboot", "", self.api.system.reboot())
        self.set_status(202)
        self.finish({"rebooting": True})


class FactoryResetApi(ApiHandler):
    """POST {"confirm": "ERASE"}: 202, then the box wipes its data and starts afresh."""

    async def post(self) -> None:
        if not confirmed_erase(only(self.json_body(), ("confirm",)).get("confirm")):
            raise Refused(400, 'confirm the factory reset: {"confirm": "ERASE"}')
        await self.audited("system.factory-reset", "", self.api.system.factory_reset())
        self.set_status(202)
        self.finish({"resetting": True})
