"""Access to the web panel and its API: roles, users, sessions, API tokens, the audit log."""

from pbx.access.audit import AuditLog
from pbx.access.control import AccessControl, AccessSettings
from pbx.access.passwords import PasswordError
from pbx.access.records import (
    AccessDenied,
    AccessError,
    ApiToken,
    AuditEvent,
    Principal,
    Session,
    User,
)
from pbx.access.roles import ROLE_PERMISSIONS, Permission, Role, role_allows

__all__ = [
    "ROLE_PERMISSIONS",
    "AccessControl",
    "AccessDenied",
    "AccessError",
    "AccessSettings",
    "ApiToken",
    "AuditEvent",
    "AuditLog",
    "PasswordError",
    "Permission",
    "Principal",
    "Role",
    "Session",
    "User",
    "role_allows",
]
