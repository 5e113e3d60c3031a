"""The panel's menu: each entry shows only to roles that may open it.

Entries are grouped by what the office does; each page's module owns its lines.
"""

from pbx.api import Permission

P = Permission

# (URL, label, permission needed to see the entry)
NAVIGATION: tuple[tuple[str, str, Permission], ...] = (
    # -- live: dashboard, wallboard, queues and agents --
    ("/dashboard", "Dashboard", P.DASHBOARD_VIEW),
    ("/wallboard", "Wallboard", P.WALLBOARD_VIEW),
    ("/queues", "Queues", P.QUEUES_VIEW),
    ("/agent", "My queues", P.AGENT_SELF),
    # -- call flows: trunks, routes, time conditions, IVR --
    ("/trunks", "Trunks", P.TRUNKS_VIEW),
    ("/outbound-routes", "Outbound routes", P.TRUNKS_VIEW),
    ("/inbound-routes", "Inbound routes", P.CALL_FLOWS_VIEW),
    ("/time-conditions", "Time conditions", P.CALL_FLOWS_VIEW),
    ("/ivr", "IVR menus", P.CALL_FLOWS_VIEW),
    ("/announcements", "Announcements", P.CALL_FLOWS_VIEW),
    ("/extensions", "Extensions", P.EXTENSIONS_VIEW),
    # -- media: music on hold, prompts, recordings --
    ("/music", "Music on hold", P.MEDIA_VIEW),
    ("/prompts", "Prompts", P.MEDIA_VIEW),
    ("/recordings", "Recordings", P.RECORDINGS_LISTEN),
    # -- reports --
    ("/reports", "Reports", P.REPORTS_VIEW),
    ("/ports", "Analog ports", P.PORTS_VIEW),
    # -- system: analog ports, time, network, VPN, backup, firmware --
    ("/system", "System", P.SYSTEM_VIEW),
    ("/users", "Users", P.USERS_MANAGE),
    ("/audit", "Audit log", P.AUDIT_VIEW),
    ("/certificate", "Certificate", P.CERTIFICATE_MANAGE),
    # -- account: own password, language, API documentation --
    ("/account", "Your account", P.SIGNED_IN),
    ("/api-docs", "API", P.SIGNED_IN),
)
