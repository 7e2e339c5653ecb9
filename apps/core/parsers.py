"""The API's JSON parser: a request body is refused with a JSON 400 before any
serializer, choice field or database sees it when it is too large, nested too
deeply, not valid UTF-8, or carries text no database stores faithfully (lone
surrogates such as ``"\\ud800"``, NUL characters)."""

import json
import re

from django.conf import settings
from rest_framework import status
from rest_framework.exceptions import APIException, ParseError
from rest_framework.parsers import JSONParser

DEFAULT_MAX_DEPTH = 64
_HOSTILE_TEXT = re.compile("[\ud800-\udfff\x00]")


class RequestTooLarge(APIException):
    # Not ApplicationError: apps.core.exceptions imports DRF, which imports the parsers.
    default_code = "request_too_large"
    status_code = status.HTTP_400_BAD_REQUEST
    default_detail = "The request body is too large."


class NestingTooDeep(APIException):
    default_code = "nesting_too_deep"
    status_code = status.HTTP_400_BAD_REQUEST
    default_detail = "The JSON body is nested too deeply."


class InvalidUnicode(APIException):
    default_code = "invalid_unicode"
    status_code = status.HTTP_400_BAD_REQUEST
    default_detail = "The body contains invalid Unicode (lone surrogates or NUL characters)."


def body_limit() -> int | None:
    return settings.DATA_UPLOAD_MAX_MEMORY_SIZE


def _reject_constant(name: str):
    raise ValueError(f"{name} is not valid JSON")


def check_json_value(data, *, max_depth: int | None = None) -> None:
    """Walk a parsed JSON value without recursion: refuse depth > max_depth and
    strings (keys included) with lone surrogates or NUL."""
    limit: int = max_depth or getattr(settings, "JSON_MAX_DEPTH", None) or DEFAULT_MAX_DEPTH
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, str):
            if _HOSTILE_TEXT.search(value):
                raise InvalidUnicode()
            continue
        if isinstance(value, dict):
            children = [*value.keys(), *value.values()]
        elif isinstance(value, list):
            children = value
        else:
            continue
        if depth > limit:
            raise NestingTooDeep(f"The JSON body is nested deeper than {limit} levels.")
        stack.extend((child, depth + 1) for child in children)


class StrictJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        limit = body_limit()
        request = parser_context.get("request")
        declared = _content_length(request)
        if limit is not None and declared is not None and declared > limit:
            raise RequestTooLarge(f"The request body is larger than {limit} bytes.")
        raw = stream.read(limit + 1) if limit is not None else stream.read()
        if limit is not None and len(raw) > limit:
            raise RequestTooLarge(f"The request body is larger than {limit} bytes.")
        try:
            text = raw.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            raise InvalidUnicode("The body is not valid UTF-8.") from None
        try:
            data = json.loads(text, parse_constant=_reject_constant)
        except RecursionError:
            raise NestingTooDeep() from None
        except ValueError as exc:
            raise ParseError(f"JSON parse error - {exc}") from None
        check_json_value(data)
        return data


def _content_length(request) -> int | None:
    if request is None:
        return None
    raw = request.META.get("CONTENT_LENGTH")
    try:
        return int(raw) if raw not in (None, "") else None
    except (TypeError, ValueError):
        return None
