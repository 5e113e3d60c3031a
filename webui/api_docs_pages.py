"""The API's OpenAPI document, as JSON (/api/openapi.json) and as a page (/api-docs)."""

import json
from typing import ClassVar

from webui.api_document import build_document
from webui.handler import ApiHandler, PanelHandler


class ApiDocument(ApiHandler):
    """GET: the OpenAPI 3.1 document of this API, made from the route table."""

    response_schema: ClassVar[dict[str, dict]] = {
        "GET": {
            "type": "object",
            "description": "an OpenAPI 3.1 document",
            "required": ["openapi", "paths"],
        }
    }

    def get(self) -> None:
        self.finish(build_document(self.context.routes))


class ApiDocsPage(PanelHandler):
    """GET: the API document, readable: each path, its methods, what they need and take."""

    def get(self) -> None:
        document = build_document(self.context.routes)
        schemes = document["components"]["securitySchemes"]
        self.render(
            "api_docs.html",
            document=document,
            schemes=schemes,
            errors=document["components"]["responses"],
            pretty=lambda value: json.dumps(value, indent=2, ensure_ascii=False),
        )
