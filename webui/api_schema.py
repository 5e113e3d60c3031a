"""Pieces of the JSON Schemas API handlers declare for the OpenAPI document (webui/api_document)."""

REF = "#/components/schemas/"  # + a name the handler's api_schemas declares


def listing(key: str, schema_name: str) -> dict:
    """An answer holding one list: {"<key>": [<schema_name>, ...]}."""
    return {
        "type": "object",
        "properties": {key: {"type": "array", "items": {"$ref": REF + schema_name}}},
    }
