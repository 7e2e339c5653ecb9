"""OpenAPI: the API's JWT authentication is simplejwt's bearer scheme."""

from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme


class SafeJWTScheme(SimpleJWTScheme):
    target_class = "apps.accounts.authentication.SafeJWTAuthentication"
