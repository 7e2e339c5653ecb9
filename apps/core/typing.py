"""Type aliases shared by the apps' signatures (checked by mypy, see pyproject.toml)."""

from django.http import HttpRequest
from rest_framework.request import Request

# Services take the request only to audit who/where; a DRF Request or a plain
# Django one (admin pages) both do.
AnyRequest = HttpRequest | Request
