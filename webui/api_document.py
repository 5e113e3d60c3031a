"""The OpenAPI 3.1 document of the panel's API, made from the route table at each request.

Every route whose handler is an ApiHandler is described: its path template from the
pattern's named groups, each method with the first line of its docstring (or the
handler's "GET: ..." sentence) as summary, the permission it needs and the roles that
hold it, the ways to authenticate, the standard error answers, and whatever request
and response schemas the handler declares (see ApiHandler). Nothing is written by
hand, so a route added to the table is in the document at once.
"""

import re

from pbx.api import ROLE_PERMISSIONS, Permission
from webui.handler import CSRF_HEADER, SESSION_COOKIE, STATE_CHANGING, ApiHandler, PanelHandler

OPENAPI_VERSION = "3.1.0"
_GROUP = re.compile(r"\(\?P<(?P<name>[a-zA-Z_][a-zA-Z0-9_]*)>")
_METHOD_SENTENCE = re.compile(r"\b(GET|HEAD|POST|PUT|PATCH|DELETE|OPTIONS)(?: [a-z ]+)?:\s")
_ERRORS = {
    "400": "Bad input: the message says what to change; nothing was changed",
    "401": "No session or API token, or an invalid one",
    "403": "The role does not hold the permission, or the CSRF token is missing or wrong",
    "404": "No such thing",
    "429": "Too many failed attempts from this address: wait Retry-After seconds",
}
_ANY_OBJECT = {"type": "object", "description": "a JSON object"}


def path_template(pattern: str) -> tuple[str, dict[str, str]]:
    """`/api/extensions/(?P<number>[0-9]{2,8})` -> `/api/extensions/{number}`, and each
    name's regular expression."""
    path, groups, rest = "", {}, pattern.removeprefix("^").removesuffix("$")
    while found := _GROUP.search(rest):
        depth, end = 0, found.start()
        while True:  # the group's closing parenthesis, past any nested ones
            depth += {"(": 1, ")": -1}.get(rest[end], 0)
            if depth == 0:
                break
            end += 1
        groups[found["name"]] = rest[found.end() : end]
        path, rest = path + rest[: found.start()] + "{" + found["name"] + "}", rest[end + 1 :]
    return path + rest, groups


def summary(handler: type[PanelHandler], method: str) -> tuple[str, str]:
    """The method's summary (one line) and description, from the docstrings."""
    own = (getattr(handler, method.lower()).__doc__ or "").strip()
    if own:
        first, _, more = own.partition("\n")
        return first.strip(), " ".join(more.split())
    text = " ".join((handler.__doc__ or "").split())
    sentences = _split_by_method(text)
    if method in sentences:
        return sentences[method], ""
    return (text.split(". ")[0].rstrip(".") or f"{method} {handler.__name__}"), ""


def _split_by_method(text: str) -> dict[str, str]:
    """'GET: one thing. POST: another.' -> {GET: 'one thing', POST: 'another'}."""
    marks = list(_METHOD_SENTENCE.finditer(text))
    found = {}
    for mark, following in zip(marks, [*marks[1:], None], strict=False):
        found[mark[1]] = text[mark.end() : following.start() if following else None].strip()
        found[mark[1]] = found[mark[1]].rstrip(".;, ") or mark[1]
    return found


def _roles(permission: Permission) -> list[str]:
    if permission in (Permission.PUBLIC, Permission.SIGNED_IN):
        return ["anyone" if permission is Permission.PUBLIC else "every signed-in user"]
    return [str(role) for role, held in ROLE_PERMISSIONS.items() if permission in held]


def _schema(declared: object, known: dict[str, dict]) -> dict:
    """A handler's schema if it is usable: a JSON object whose references all resolve."""
    if not isinstance(declared, dict):
        return dict(_ANY_OBJECT)
    references = re.findall(r"#/components/schemas/([^\"'/]+)", repr(declared))
    if any(name not in known for name in references):
        return dict(_ANY_OBJECT)
    return declared


def _operation(route, method: str, known: dict[str, dict]) -> dict:
    handler, permission = route.handler, route.permissions[method]
    title, more = summary(handler, method)
    who = ", ".join(_roles(permission))
    operation = {
        "operationId": f"{handler.__name__}.{method.lower()}",
        "summary": title,
        "description": f"{more + ' ' if more else ''}Needs `{permission}` ({who}).".strip(),
        "x-permission": str(permission),
        "x-roles": _roles(permission),
        "tags": [_tag(route.pattern)],
        "responses": {
            "2XX": {
                "description": "Done",
                "content": {
                    "application/json": {
                        "schema": _schema(handler.response_schema.get(method), known)
                    }
                },
            },
            **{code: {"$ref": f"#/components/responses/E{code}"} for code in _ERRORS},
        },
    }
    if permission is Permission.PUBLIC:
        operation["security"] = []
    elif method in STATE_CHANGING:
        operation["security"] = [{"bearer": []}, {"session": [], "csrf": []}]
    if method in ("POST", "PUT", "PATCH"):
        schema = _schema(handler.request_schema.get(method), known)
        operation["requestBody"] = {
            "required": method in handler.request_schema,
            "content": {"application/json": {"schema": schema}},
        }
    return operation


def _tag(pattern: str) -> str:
    """What an operation is grouped under: its path's first part after /api/."""
    parts = [p for p in path_template(pattern)[0].split("/") if p]
    return parts[1] if parts[:1] == ["api"] and len(parts) > 1 else (parts or ["panel"])[0]


def _path_item(route, known: dict[str, dict]) -> dict:
    _, groups = path_template(route.pattern)
    item: dict = {
        method.lower(): _operation(route, method, known)
        for method in route.permissions
        if method not in ("HEAD", "OPTIONS")
    }
    if groups:
        item["parameters"] = [
            {
                "name": name,
                "in": "path",
                "required": True,
                "schema": {"type": "string", "pattern": f"^{regex}$"},
            }
            for name, regex in groups.items()
        ]
    return item


def api_routes(routes) -> list:
    """The routes the document describes: those served by an ApiHandler."""
    return [r for r in routes if issubclass(r.handler, ApiHandler)]


def _components(routes) -> dict:
    schemas: dict[str, dict] = {
        "Error": {
            "type": "object",
            "properties": {"error": {"type": "string", "description": "what went wrong"}},
            "required": ["error"],
        }
    }
    for route in routes:
        for name, schema in route.handler.api_schemas.items():
            if isinstance(schema, dict) and re.fullmatch(r"[A-Za-z0-9._-]+", name):
                schemas.setdefault(name, schema)
    # A named schema pointing at one nobody declared would break the document.
    schemas = {n: _schema(s, schemas) for n, s in schemas.items()}
    error = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    return {
        "schemas": schemas,
        "responses": {
            f"E{code}": {"description": text, "content": error} for code, text in _ERRORS.items()
        },
        "securitySchemes": {
            "bearer": {
                "type": "http",
                "scheme": "bearer",
                "description": "An API token (cbx_...), made by an admin on the Users page",
            },
            "session": {
                "type": "apiKey",
                "in": "cookie",
                "name": SESSION_COOKIE,
                "description": "A signed-in browser's session",
            },
            "csrf": {
                "type": "apiKey",
                "in": "header",
                "name": CSRF_HEADER,
                "description": "With a session: the session's CSRF token, to change things",
            },
        },
    }


def build_document(routes, server_url: str = "/") -> dict:
    """The OpenAPI 3.1 document of every ApiHandler route in `routes`."""
    described = api_routes(routes)
    components = _components(described)
    paths = {}
    for route in described:
        template, _ = path_template(route.pattern)
        paths[template] = _path_item(route, components["schemas"])
    return {
        "openapi": OPENAPI_VERSION,
        "info": {
            "title": "Callbox API",
            "version": "1",
            "description": (
                "The web panel's operations as JSON. Authenticate with an API token "
                "(Authorization: Bearer) or a signed-in session; with a session, changes "
                f"need the {CSRF_HEADER} header. Each operation names the permission it needs."
            ),
        },
        "servers": [{"url": server_url}],
        "security": [{"bearer": []}, {"session": []}],
        "paths": paths,
        "components": components,
    }
