"""The panel's menu: each entry shows only to roles that may open it.

Entries are grouped by what the office does; each page's module owns its lines.
"""

from pbx.api import Permission

P = Permission

# (URL, label, permission needed to see the entry)
NAVIGATION: tuple[tuple[str, str, Permission], ...] = (
    # -- live: dashboard, wallboard, queues and agents --
    # -- call flows: trunks, routes, time conditions, IVR --
    ("/extensions", "Extensions", P.EXTENSIONS_VIEW),
    # -- media: music on hold, prompts, recordings --
    ("/music", "Music on hold", P.MEDIA_VIEW),
    ("/prompts", "Prompts", P.MEDIA_VIEW),
    ("/recordings", "Recordings", P.RECORDINGS_LISTEN),
    # -- reports --
    # -- system: analog ports, time, network, VPN, backup, firmware --
    ("/users", "Users", P.USERS_MANAGE),
    ("/audit", "Audit log", P.AUDIT_VIEW),
    ("/certificate", "Certificate", P.CERTIFICATE_MANAGE),
    # -- account: own password, language, API documentation --
)
