"""Roles and the permissions each one holds: the panel's permission matrix.

Every web route names one permission; a user may use the route when their
role holds it. The README's "Web panel" section prints this table.
"""

from enum import StrEnum


class Role(StrEnum):
    """What a panel user is to the office."""

    ADMIN = "admin"  # everything, including users, certificates and the audit log
    SUPERVISOR = "supervisor"  # runs the call center: sees extensions and phones
    AGENT = "agent"  # takes calls: signs in, nothing to configure yet
    TECHNICIAN = "technician"  # diagnostics: sees extensions and phones, never recordings


class Permission(StrEnum):
    """What a route needs. PUBLIC and SIGNED_IN are not held by roles: they say who may come."""

    PUBLIC = "public"  # anyone, signed in or not (log-in, first start, static assets)
    SIGNED_IN = "signed-in"  # any signed-in user (home page, logging out)
    EXTENSIONS_VIEW = "extensions.view"  # the list of extensions and their registrations
    EXTENSIONS_EDIT = "extensions.edit"  # add, change, delete extensions; new SIP secrets
    USERS_MANAGE = "users.manage"  # panel users, roles, passwords, API tokens
    AUDIT_VIEW = "audit.view"  # the audit log
    CERTIFICATE_MANAGE = "certificate.manage"  # the panel's HTTPS certificate
    METRICS_VIEW = "metrics.view"  # /metrics, for Prometheus: counts and states, no names


ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.ADMIN: frozenset(Permission) - {Permission.PUBLIC, Permission.SIGNED_IN},
    Role.SUPERVISOR: frozenset({Permission.EXTENSIONS_VIEW}),
    Role.AGENT: frozenset(),
    # Diagnostics includes monitoring: a technician's scraper token sees the box's health.
    Role.TECHNICIAN: frozenset({Permission.EXTENSIONS_VIEW, Permission.METRICS_VIEW}),
}


def role_allows(role: Role, permission: Permission) -> bool:
    """True if a signed-in user of `role` may use a route needing `permission`."""
    return permission in (Permission.PUBLIC, Permission.SIGNED_IN) or (
        permission in ROLE_PERMISSIONS[role]
    )
