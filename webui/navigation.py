"""The panel's menu: groups of pages, each entry shown only to roles that may open it."""

from pbx.api import Permission

P = Permission
Entry = tuple[str, str, Permission]  # URL, label, the permission needed to see it

MENU: tuple[tuple[str, tuple[Entry, ...]], ...] = (
    (
        "Live",
        (
            ("/dashboard", "Dashboard", P.DASHBOARD_VIEW),
            ("/wallboard", "Wallboard", P.WALLBOARD_VIEW),
            ("/queues", "Queues", P.QUEUES_VIEW),
            ("/agent", "My queues", P.AGENT_SELF),
        ),
    ),
    (
        "Calls",
        (
            ("/extensions", "Extensions", P.EXTENSIONS_VIEW),
            ("/trunks", "Trunks", P.TRUNKS_VIEW),
            ("/outbound-routes", "Outbound routes", P.TRUNKS_VIEW),
            ("/inbound-routes", "Inbound routes", P.CALL_FLOWS_VIEW),
            ("/time-conditions", "Time conditions", P.CALL_FLOWS_VIEW),
            ("/ivr", "IVR menus", P.CALL_FLOWS_VIEW),
            ("/announcements", "Announcements", P.CALL_FLOWS_VIEW),
        ),
    ),
    (
        "Media",
        (
            ("/music", "Music on hold", P.MEDIA_VIEW),
            ("/prompts", "Prompts", P.MEDIA_VIEW),
            ("/recordings", "Recordings", P.RECORDINGS_LISTEN),
        ),
    ),
    (
        "Reports",
        (
            ("/reports", "Call records", P.REPORTS_VIEW),
            ("/reports/kpi", "Queue KPIs", P.REPORTS_VIEW),
        ),
    ),
    (
        "Box",
        (
            ("/ports", "Analog ports", P.PORTS_VIEW),
            ("/system", "System", P.SYSTEM_VIEW),
            ("/users", "Users", P.USERS_MANAGE),
            ("/audit", "Audit log", P.AUDIT_VIEW),
            ("/certificate", "Certificate", P.CERTIFICATE_MANAGE),
        ),
    ),
    (
        "You",
        (
            ("/account", "Your account", P.SIGNED_IN),
            ("/api-docs", "API", P.SIGNED_IN),
        ),
    ),
)


def menu_labels() -> set[str]:
    """Every group name and entry label the menu shows (for the translation check)."""
    return {group for group, _ in MENU} | {label for _, e in MENU for _, label, _ in e}


def menu_for(allowed, path: str) -> list[tuple[str, list[tuple[str, str, bool]]]]:
    """The menu as `allowed(permission)` lets one user see it, empty groups left out; each
    entry (URL, label, current), current for the one entry whose page `path` is under."""
    shown = [
        (group, [(url, label) for url, label, needs in entries if allowed(needs)])
        for group, entries in MENU
    ]
    under = [url for _, entries in shown for url, _ in entries if _is_under(path, url)]
    current = max(under, key=len, default="")
    return [
        (group, [(url, label, url == current) for url, label in entries])
        for group, entries in shown
        if entries
    ]


def _is_under(path: str, url: str) -> bool:
    return path == url or path.startswith(url.rstrip("/") + "/")
