"""Roles and the permissions each one holds: the panel's permission matrix.

Every web route names one permission; a user may use the route when their
role holds it. The README's "Web panel" section prints this table.
"""

from enum import StrEnum


class Role(StrEnum):
    """What a panel user is to the office."""

    ADMIN = "admin"  # everything, including users, certificates and the audit log
    SUPERVISOR = "supervisor"  # runs the call center: queues, agents, recordings, reports
    AGENT = "agent"  # takes calls: their own queue log-in and pauses, the wallboard
    TECHNICIAN = "technician"  # diagnostics: ports, trunks, system health; never recordings


class Permission(StrEnum):
    """What a route needs. PUBLIC and SIGNED_IN are not held by roles: they say who may come."""

    PUBLIC = "public"  # anyone, signed in or not (log-in, first start, static assets)
    SIGNED_IN = "signed-in"  # any signed-in user (home page, own password and language)
    DASHBOARD_VIEW = "dashboard.view"  # ports, lines, registrations, trunks, alarms, health
    WALLBOARD_VIEW = "wallboard.view"  # the live wallboard: queues and agents by state
    EXTENSIONS_VIEW = "extensions.view"  # the list of extensions and their registrations
    EXTENSIONS_EDIT = "extensions.edit"  # add, change, delete extensions; new SIP secrets
    TRUNKS_VIEW = "trunks.view"  # trunks, their registration state, outbound routes
    TRUNKS_EDIT = "trunks.edit"  # add, change, delete trunks and outbound routes
    PORTS_VIEW = "ports.view"  # analog ports: state, loop voltage and current
    PORTS_TEST = "ports.test"  # ring a phone, read the loop: line tests
    PORTS_EDIT = "ports.edit"  # the country profile and each port's settings
    CALL_FLOWS_VIEW = "call-flows.view"  # inbound routes, time conditions, IVR menus
    CALL_FLOWS_EDIT = "call-flows.edit"  # change them
    NIGHT_MODE = "night-mode.set"  # switch a time condition's night mode on or off
    QUEUES_VIEW = "queues.view"  # queues, agents, ring groups with their live state
    QUEUES_EDIT = "queues.edit"  # add, change, delete queues and ring groups
    AGENTS_MANAGE = "agents.manage"  # log any agent in or out, pause them
    AGENT_SELF = "agent.self"  # log oneself in or out of queues, pause oneself
    MEDIA_VIEW = "media.view"  # music on hold and prompts: list, play
    MEDIA_EDIT = "media.edit"  # upload, convert, text to speech, delete
    RECORDINGS_LISTEN = "recordings.listen"  # search, play and download recordings
    RECORDINGS_DELETE = "recordings.delete"  # delete recordings
    REPORTS_VIEW = "reports.view"  # CDRs and queue KPIs, charts, CSV export
    SYSTEM_VIEW = "system.view"  # time, network, VPN, firmware version: read only
    SYSTEM_RESTART = "system.restart"  # reboot the box
    SYSTEM_MANAGE = "system.manage"  # time, network, VPN peers, backup and restore, firmware
    USERS_MANAGE = "users.manage"  # panel users, roles, passwords, API tokens
    AUDIT_VIEW = "audit.view"  # the audit log
    CERTIFICATE_MANAGE = "certificate.manage"  # the panel's HTTPS certificate
    METRICS_VIEW = "metrics.view"  # /metrics, for Prometheus: counts and states, no names


P = Permission
ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.ADMIN: frozenset(Permission) - {P.PUBLIC, P.SIGNED_IN},
    Role.SUPERVISOR: frozenset(
        {
            P.DASHBOARD_VIEW,
            P.WALLBOARD_VIEW,
            P.EXTENSIONS_VIEW,
            P.CALL_FLOWS_VIEW,
            P.NIGHT_MODE,
            P.QUEUES_VIEW,
            P.AGENTS_MANAGE,
            P.AGENT_SELF,
            P.MEDIA_VIEW,
            P.MEDIA_EDIT,
            P.RECORDINGS_LISTEN,
            P.REPORTS_VIEW,
        }
    ),
    Role.AGENT: frozenset({P.WALLBOARD_VIEW, P.AGENT_SELF}),
    # Diagnostics includes monitoring: a technician's scraper token sees the box's health.
    Role.TECHNICIAN: frozenset(
        {
            P.DASHBOARD_VIEW,
            P.EXTENSIONS_VIEW,
            P.TRUNKS_VIEW,
            P.PORTS_VIEW,
            P.PORTS_TEST,
            P.CALL_FLOWS_VIEW,
            P.QUEUES_VIEW,
            P.SYSTEM_VIEW,
            P.SYSTEM_RESTART,
            P.METRICS_VIEW,
        }
    ),
}


def role_allows(role: Role, permission: Permission) -> bool:
    """True if a signed-in user of `role` may use a route needing `permission`."""
    return permission in (Permission.PUBLIC, Permission.SIGNED_IN) or (
        permission in ROLE_PERMISSIONS[role]
    )
