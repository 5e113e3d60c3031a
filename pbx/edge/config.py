"""Kamailio's configuration, rendered from the box's settings at every start."""

import glob
import ipaddress
import re
from dataclasses import dataclass, field
from pathlib import Path

from pbx.events import SecurityEvent
from pbx.extensions import REALM
from pbx.sip.settings import PLACED_HEADER, TRANSFER_HEADER
from pbx.store.edge_trunks import TRUNK_GROUP
from pbx.tls_identity import ensure_certificate

# User-Agents of SIP scanning and cracking tools; their requests get no answer at all.
SCANNER_AGENTS = (
    "friendly-scanner",
    "sipcli",
    "sipvicious",
    "VaxSIPUserAgent",
    "sundayddr",
    "iWar",
    "SIParator",
    "smap",
    "pplsip",
    "sip-scan",
    "SIPScan",
)
SECURITY_TAG = "CBX-SEC"  # marks the log lines the supervisor turns into security events
_SECURITY_LINE = re.compile(
    rf"{SECURITY_TAG} kind=(?P<kind>\S+) src=(?P<src>\S+)(?: user=(?P<user>\S*))?"
)


def security_event(log_line: str) -> SecurityEvent | None:
    """The security event a line of Kamailio's log reports, if it reports one."""
    match = _SECURITY_LINE.search(log_line)
    if match is None:
        return None
    return SecurityEvent(match["kind"], match["src"], match["user"] or "")


@dataclass(frozen=True)
class EdgeSettings:
    """Where the edge listens, where the engine is, and how hard it defends itself."""

    address: str
    udp_port: int
    tcp_port: int
    tls_port: int
    engine_address: str
    engine_port: int
    state_dir: Path
    allow: tuple[str, ...] = ()
    auth_failures_before_ban: int = 10
    auth_failure_window_s: int = 600
    ban_s: int = 1800
    requests_per_2s: int = 40
    workers: int = 4
    nonce_secret: str = field(default="", repr=False)
    contact_address: str = ""  # the address providers reach the box at; "" for `address`
    trunk_no_reply_ms: int = 4000  # a provider silent this long is given up (next trunk)

    @property
    def db_path(self) -> Path:
        return self.state_dir / "edge.db"

    @property
    def cert_path(self) -> Path:
        return self.state_dir / "tls" / "cert.pem"

    @property
    def key_path(self) -> Path:
        return self.state_dir / "tls" / "key.pem"

    @property
    def rpc_socket(self) -> Path:
        """The edge's control socket (JSON-RPC datagrams)."""
        return self.state_dir / "rpc.sock"

    @property
    def registration_contact(self) -> str:
        """host:port that trunk registrations ask providers to send calls to."""
        return f"{self.contact_address or self.address}:{self.udp_port}"


def module_dir() -> str:
    """Where Debian put Kamailio's modules (the multiarch path differs per machine)."""
    found = sorted(glob.glob("/usr/lib/*/kamailio/modules")) + sorted(
        glob.glob("/usr/lib/kamailio/modules")
    )
    return found[0] if found else "/usr/lib/kamailio/modules"


_MODULES = (
    "kex",
    "corex",
    "tm",
    "tmx",
    "sl",
    "rr",
    "pv",
    "maxfwd",
    "usrloc",
    "registrar",
    "textops",
    "siputils",
    "xlog",
    "sanity",
    "db_sqlite",
    "auth",
    "auth_db",
    "pike",
    "htable",
    "ipops",
    "nathelper",
    "tls",
    "uac",
    "permissions",
    "jsonrpcs",
)


def _listeners(s: EdgeSettings) -> list[str]:
    lines = [
        f"listen=udp:{s.address}:{s.udp_port}",
        f"listen=tcp:{s.address}:{s.tcp_port}",
        f"listen=tls:{s.address}:{s.tls_port}",
    ]
    address = ipaddress.ip_address(s.address)
    if not (address.is_unspecified or address == ipaddress.ip_address(s.engine_address)):
        # The engine is on loopback: the edge needs a socket there to reach it.
        lines.append(f"listen=udp:{s.engine_address}:{s.udp_port}")
    return lines


def _uac_socket(s: EdgeSettings) -> list[tuple[str, str, str]]:
    """Registrations leave from the SIP port, where providers answer and call back."""
    if ipaddress.ip_address(s.address).is_unspecified:
        return []
    return [("uac", "default_socket", f"udp:{s.address}:{s.udp_port}")]


def _allow_set(s: EdgeSettings) -> str:
    """Kamailio lines setting $var(allowed) for sources on the allow-list."""
    if not s.allow:
        return "$var(allowed) = 0;"
    test = " || ".join(f'is_in_subnet("$si", "{net}")' for net in s.allow)
    return f"if ({test}) {{ $var(allowed) = 1; }} else {{ $var(allowed) = 0; }}"


def _globals(s: EdgeSettings) -> str:
    return "\n".join(
        [
            "#!KAMAILIO",
            "# Written by the Callbox daemon at every start; edits here are lost.",
            "debug=1",
            "log_stderror=yes",
            "memdbg=5",
            "memlog=5",
            f"children={s.workers}",
            f"tcp_children={s.workers}",
            "enable_tls=yes",
            "auto_aliases=no",
            "tcp_accept_no_cl=yes",
            "tcp_max_connections=2048",
            "tls_max_connections=2048",
            "tcp_connection_lifetime=3605",
            # Never tell a scanner what runs here.
            "server_signature=no",
            'user_agent_header="User-Agent: pbx"',
            "sip_warning=0",
            *_listeners(s),
            f'mpath="{module_dir()}/"',
            *(f'loadmodule "{m}.so"' for m in _MODULES),
        ]
    )


def _modparams(s: EdgeSettings) -> str:
    params = [
        ("tm", "failure_reply_mode", 3),
        ("tm", "fr_timer", 30000),
        ("tm", "fr_inv_timer", 120000),
        ("rr", "enable_full_lr", 0),
        ("registrar", "method_filtering", 1),
        ("registrar", "max_expires", 3600),
        ("registrar", "min_expires", 60),
        # Write-through: registrations outlive a restart of the edge.
        ("usrloc", "db_mode", 1),
        ("usrloc", "db_url", f"sqlite://{s.db_path}"),
        ("usrloc", "use_domain", 0),
        ("auth", "nonce_expire", 300),
        ("auth", "secret", s.nonce_secret),
        ("auth_db", "db_url", f"sqlite://{s.db_path}"),
        ("auth_db", "calculate_ha1", 0),
        ("auth_db", "password_column", "ha1"),
        ("auth_db", "use_domain", 0),
        ("auth_db", "load_credentials", ""),
        ("pike", "sampling_time_unit", 2),
        ("pike", "reqs_density_per_unit", s.requests_per_2s),
        ("pike", "remove_latency", 4),
        ("htable", "htable", f"ipban=>size=8;autoexpire={s.ban_s};"),
        ("htable", "htable", f"authfail=>size=8;autoexpire={s.auth_failure_window_s};"),
        ("tls", "config", str(s.state_dir / "tls.cfg")),
        ("jsonrpcs", "transport", 4),  # the datagram socket only
        ("jsonrpcs", "dgram_socket", str(s.rpc_socket)),
        ("jsonrpcs", "dgram_mode", 0o600),
        # Trunk registrations: looked at every 5 s, so a new trunk registers at once;
        # a failed one is tried again after 30 s.
        ("uac", "reg_db_url", f"sqlite://{s.db_path}"),
        ("uac", "reg_contact_addr", s.registration_contact),
        ("uac", "reg_timer_interval", 5),
        ("uac", "reg_retry_interval", 30),
        ("uac", "reg_keep_callid", 1),
        ("uac", "restore_mode", "none"),
        # Provider addresses: only the address table, reloaded whenever a trunk changes.
        ("permissions", "db_url", f"sqlite://{s.db_path}"),
        ("permissions", "load_backends", 1),
        ("permissions", "reload_delta", 0),
        ("permissions", "peer_tag_avp", "$avp(trunk)"),
        *_uac_socket(s),
    ]
    return "\n".join(
        f'modparam("{m}", "{k}", {v if isinstance(v, int) else chr(34) + str(v) + chr(34)})'
        for m, k, v in params
    )


_ROUTES = r"""
request_route {
    route(REQINIT);
    if (is_method("CANCEL")) {
        if (t_check_trans()) { route(RELAY); }
        exit;
    }
    if (!is_method("ACK")) {
        if (t_precheck_trans()) { t_check_trans(); exit; }
        t_check_trans();
    }
    route(WITHINDLG);
    remove_hf("Route");
    if (is_method("INVITE")) { record_route(); }
    if ($var(from_engine) == 1) { route(FROM_ENGINE); exit; }
    if (is_method("OPTIONS") && uri == myself && $rU == $null) {
        sl_send_reply("200", "OK");
        exit;
    }
    if ($var(trunk) != "") { route(FROM_TRUNK); exit; }
    route(AUTH);
    if (is_method("REGISTER")) {
        if (!save("location")) { sl_reply_error(); }
        exit;
    }
    if (is_method("INVITE")) {
        # Only the edge vouches for a caller: the engine trusts this header.
        append_hf("X-Callbox-Ext: $au\r\n");
        $du = "sip:@ENGINE@";
        route(RELAY);
    }
    sl_send_reply("405", "Method Not Allowed");
    exit;
}

route[REQINIT] {
    $var(from_engine) = 0;
    if ($si == "@ENGINE_ADDR@" && $sp == @ENGINE_PORT@) {
        $var(from_engine) = 1;
        return;
    }
    remove_hf("X-Callbox-Ext");
    remove_hf("X-Callbox-Trunk");
    remove_hf("X-Callbox-Route");
    remove_hf("@TRANSFER_HEADER@");
    @ALLOW_SET@
    # Providers are known by address; they are never challenged, limited or banned.
    $var(trunk) = "";
    if (allow_source_address("@TRUNK_GROUP@")) {
        $var(trunk) = $avp(trunk);
        $var(allowed) = 1;
    }
    if ($var(allowed) == 0 && $sht(ipban=>$si) != $null) { exit; }
    if ($ua =~ "@SCANNERS@") {
        xlog("L_ERR", "@TAG@ kind=scanner src=$si ua=$ua\n");
        exit;
    }
    if ($var(allowed) == 0 && !pike_check_req()) {
        $sht(ipban=>$si) = 1;
        xlog("L_ERR", "@TAG@ kind=flood src=$si\n");
        exit;
    }
    if (!mf_process_maxfwd_header("10")) { sl_send_reply("483", "Too Many Hops"); exit; }
    if (!sanity_check("17895", "7")) {
        xlog("L_ERR", "@TAG@ kind=malformed src=$si\n");
        exit;
    }
}

route[WITHINDLG] {
    if (!has_totag()) { return; }
    if (loose_route()) {
        # Outside callers may only continue dialogs with the engine: never a relay
        # to anywhere else.
        if ($var(from_engine) == 0 && !($rd == "@ENGINE_ADDR@" && $rp == @ENGINE_PORT@)) {
            sl_send_reply("403", "Forbidden");
            exit;
        }
        route(RELAY);
    }
    if (is_method("ACK")) {
        if (t_check_trans()) { route(RELAY); }
        exit;
    }
    sl_send_reply("404", "Not Found");
    exit;
}

route[AUTH] {
    $var(rc) = auth_check("@REALM@", "subscriber", "1");
    if ($var(rc) == 1) {
        if (!is_method("REGISTER")) { consume_credentials(); }
        return;
    }
    # A wrong secret and an unknown user get the same fresh challenge, so the
    # extensions cannot be enumerated; both count towards a ban.
    if ($var(rc) == -2 || $var(rc) == -3 || $var(rc) == -8) {
        xlog("L_ERR", "@TAG@ kind=auth-failure src=$si user=$fU method=$rm\n");
        if ($sht(authfail=>$si) == $null) { $sht(authfail=>$si) = 0; }
        $sht(authfail=>$si) = $sht(authfail=>$si) + 1;
        if ($var(allowed) == 0 && $sht(authfail=>$si) >= @MAX_FAILURES@) {
            $sht(ipban=>$si) = 1;
            xlog("L_ERR", "@TAG@ kind=banned src=$si\n");
            exit;
        }
    }
    auth_challenge("@REALM@", "1");
    exit;
}

route[FROM_TRUNK] {
    if (is_method("OPTIONS")) { sl_send_reply("200", "OK"); exit; }
    if (!is_method("INVITE")) { sl_send_reply("405", "Method Not Allowed"); exit; }
    # A provider the box registers with calls the registration's contact (the
    # trunk's name); the number dialled is then in To.
    if ($rU == $var(trunk)) { $rU = $tU; }
    append_hf("X-Callbox-Trunk: $var(trunk)\r\n");
    $du = "sip:@ENGINE@";
    route(RELAY);
}

route[FROM_ENGINE] {
    if (is_method("INVITE")) {
        if (!is_present_hf("@PLACED_HEADER@")) { route(TRANSFER_LOOP); }
        remove_hf("@PLACED_HEADER@");
    }
    if (is_method("INVITE") && is_present_hf("X-Callbox-Route")) {
        # A call out through a trunk: the engine names the provider's server.
        $du = $hdr(X-Callbox-Route);
        remove_hf("X-Callbox-Route");
        t_set_fr(0, @TRUNK_NO_REPLY_MS@);
        route(RELAY);
    }
    if (is_method("INVITE|OPTIONS|MESSAGE|NOTIFY")) {
        if (!lookup("location")) {
            sl_send_reply("480", "Temporarily Unavailable");
            exit;
        }
    }
    route(RELAY);
}

# An INVITE the engine did not mark as placed is the one pjsua sends by itself for
# a REFER: it only carries the news back to the transferring phone, so it goes
# straight back to the engine, which places the real call itself
# (pbx/sip/_transfer.py). A Replaces in it is for the engine's call logic, never
# for pjsua's own handling, so it is dropped.
route[TRANSFER_LOOP] {
    remove_hf("Replaces");
    remove_hf("Require");
    append_hf("@TRANSFER_HEADER@: 1\r\n");
    $du = "sip:@ENGINE@";
    route(RELAY);
}

route[RELAY] {
    if (!t_relay()) { sl_reply_error(); }
    exit;
}
"""


def render(s: EdgeSettings) -> str:
    """The whole kamailio.cfg for these settings."""
    routes = _ROUTES
    for token, value in {
        "@ENGINE@": f"{s.engine_address}:{s.engine_port}",
        "@ENGINE_ADDR@": s.engine_address,
        "@ENGINE_PORT@": str(s.engine_port),
        "@ALLOW_SET@": _allow_set(s),
        "@SCANNERS@": "|".join(SCANNER_AGENTS),
        "@TAG@": SECURITY_TAG,
        "@REALM@": REALM,
        "@MAX_FAILURES@": str(s.auth_failures_before_ban),
        "@TRUNK_GROUP@": str(TRUNK_GROUP),
        "@TRUNK_NO_REPLY_MS@": str(s.trunk_no_reply_ms),
        "@PLACED_HEADER@": PLACED_HEADER,
        "@TRANSFER_HEADER@": TRANSFER_HEADER,
    }.items():
        routes = routes.replace(token, value)
    return f"{_globals(s)}\n\n{_modparams(s)}\n{routes}"


def render_tls(s: EdgeSettings) -> str:
    """tls.cfg: TLS 1.2 and later with the device's own key and certificate."""
    return (
        f"[server:default]\nmethod = TLSv1.2+\nverify_certificate = no\n"
        f"require_certificate = no\nprivate_key = {s.key_path}\n"
        f"certificate = {s.cert_path}\n\n"
        f"[client:default]\nmethod = TLSv1.2+\nverify_certificate = no\n"
        f"require_certificate = no\n"
    )


def write_files(s: EdgeSettings) -> None:
    """Write kamailio.cfg and tls.cfg, and the TLS key and certificate on first start."""
    s.state_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    (s.state_dir / "run").mkdir(exist_ok=True, mode=0o700)
    ensure_certificate(s.key_path, s.cert_path, [s.address])
    (s.state_dir / "kamailio.cfg").write_text(render(s))
    (s.state_dir / "tls.cfg").write_text(render_tls(s))
