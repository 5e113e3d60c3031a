"""The permission matrix in words, for the Users page: what each role may do."""

from pbx.api import ROLE_PERMISSIONS, Permission, Role

P = Permission
# What each permission opens (the README's table); each text is translated on the page.
PERMISSION_TEXT: dict[Permission, str] = {
    P.DASHBOARD_VIEW: "the dashboard: ports, lines, registrations, trunks, alarms, health",
    P.WALLBOARD_VIEW: "the live wallboard",
    P.EXTENSIONS_VIEW: "the extensions and their registrations",
    P.EXTENSIONS_EDIT: "adding, changing, deleting extensions; new SIP secrets",
    P.TRUNKS_VIEW: "trunks and their registration, outbound routes",
    P.TRUNKS_EDIT: "adding, changing, deleting trunks and outbound routes",
    P.PORTS_VIEW: "analog ports: state, loop voltage and current",
    P.PORTS_TEST: "line tests: ring a phone, read the loop",
    P.PORTS_EDIT: "the country profile, each port's settings",
    P.CALL_FLOWS_VIEW: "inbound routes, time conditions, IVR menus",
    P.CALL_FLOWS_EDIT: "changing inbound routes, time conditions, IVR menus",
    P.NIGHT_MODE: "night mode on or off",
    P.QUEUES_VIEW: "queues, agents and ring groups, live",
    P.QUEUES_EDIT: "adding, changing, deleting queues and ring groups",
    P.AGENTS_MANAGE: "logging any agent in or out, pausing them",
    P.AGENT_SELF: "logging oneself in or out of queues, pausing oneself",
    P.MEDIA_VIEW: "music on hold and prompts: list, play",
    P.MEDIA_EDIT: "uploading music and prompts, text to speech, deleting",
    P.RECORDINGS_LISTEN: "searching, playing, downloading recordings",
    P.RECORDINGS_DELETE: "deleting recordings",
    P.REPORTS_VIEW: "call records and queue reports, charts, CSV",
    P.SYSTEM_VIEW: "time, network, VPN, firmware version (read only)",
    P.SYSTEM_RESTART: "rebooting the box",
    P.SYSTEM_MANAGE: "time, network, VPN, backup and restore, firmware update, factory reset",
    P.USERS_MANAGE: "users, roles, passwords, API tokens",
    P.AUDIT_VIEW: "the audit log",
    P.CERTIFICATE_MANAGE: "the panel's HTTPS certificate",
    P.METRICS_VIEW: "metrics for Prometheus",
}


def permission_matrix() -> list[tuple[str, str, list[bool]]]:
    """(permission, what it opens, held by each role in Role's order), for every permission
    a role can hold."""
    return [
        (str(p), PERMISSION_TEXT.get(p, str(p)), [p in ROLE_PERMISSIONS[r] for r in Role])
        for p in Permission
        if p not in (P.PUBLIC, P.SIGNED_IN)
    ]
