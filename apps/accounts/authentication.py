"""simplejwt's authentication, with the user id claim checked before it
reaches the database: a correctly signed token whose ``user_id`` is not a
positive integer that fits the id column (a string, a float, a list, 10**30)
is a 401 ``token_not_valid``, not a 500 from the query."""

import re

from rest_framework.exceptions import PermissionDenied
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import InvalidToken
from rest_framework_simplejwt.settings import api_settings

from apps.core.roles import Role

MAX_ID = 2**63 - 1  # as apps.core.api.MAX_ID (not imported: DRF's views import this module)
_DIGITS = re.compile(r"[0-9]{1,19}")


def user_id_claim_is_valid(value) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return 0 < value <= MAX_ID
    return isinstance(value, str) and bool(_DIGITS.fullmatch(value)) and 0 < int(value) <= MAX_ID


class SafeJWTAuthentication(JWTAuthentication):
    def get_user(self, validated_token):
        if not user_id_claim_is_valid(validated_token.get(api_settings.USER_ID_CLAIM)):
            raise InvalidToken("Token contained no recognizable user identification")
        return super().get_user(validated_token)

    def authenticate(self, request):
        found = super().authenticate(request)
        if found is not None and found[0].role == Role.CUSTOMER and not customer_may_call(request.path_info):
            # A customer's contact signs in to the self-service API only: every
            # office endpoint is refused in this one place (docs/customers.md).
            raise PermissionDenied("A customer account may use the customer API (/api/customer/) only.")
        return found


# The paths a customer's contact may call: its own API and its own session.
CUSTOMER_PATHS = ("/api/customer/", "/api/me/", "/api/auth/logout/")


def customer_may_call(path: str) -> bool:
    return path.startswith(CUSTOMER_PATHS)
