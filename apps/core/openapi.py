"""drf-spectacular post-processing: document the one error contract on every
operation, so clients (and the schema fuzzer) can rely on it."""

ERROR_STATUSES = {
    "400": "Invalid input (`fields` lists the problems).",
    "401": "Not signed in, or the token is invalid or expired.",
    "403": "Signed in, but this role may not do this.",
    "404": "No such object, or not visible to this user.",
    "405": "Method not allowed.",
    "406": "Not acceptable.",
    "409": "A business refusal: conflict (e.g. insufficient_stock, idempotency_conflict).",
    "415": "Unsupported media type.",
    "422": "A business refusal: the request cannot be carried out.",
    "429": "Throttled.",
    "503": "The database is unavailable (database_unavailable); nothing was recorded, try again.",
}
KEY_REQUIRED = "428"

ERROR_COMPONENT = {
    "type": "object",
    "properties": {
        "code": {"type": "string", "description": "Stable machine code, e.g. insufficient_stock."},
        "detail": {"type": "string", "description": "A human sentence."},
        "fields": {"type": "object", "additionalProperties": True, "description": "Per-field messages (400)."},
        "request_id": {
            "type": ["string", "null"],
            "description": "The request's id (the X-Request-ID header); also on every audit row of the request.",
        },
    },
    "required": ["code", "detail"],
    "additionalProperties": True,
}


def add_error_responses(result, generator, request, public):
    """Every operation may answer the documented errors with ``Error``."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_COMPONENT
    ref = {"$ref": "#/components/schemas/Error"}
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            responses = operation.setdefault("responses", {})
            for status, description in ERROR_STATUSES.items():
                responses.setdefault(
                    status, {"content": {"application/json": {"schema": ref}}, "description": description}
                )
            if any(
                p.get("in") == "header" and p.get("name") == "Idempotency-Key" and p.get("required")
                for p in operation.get("parameters", [])
            ):
                responses.setdefault(
                    KEY_REQUIRED,
                    {
                        "content": {"application/json": {"schema": ref}},
                        "description": "No Idempotency-Key header (idempotency_key_required); nothing recorded.",
                    },
                )
    return result
