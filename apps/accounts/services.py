"""Sign-in, token rotation and sign-out. Tokens are never stored in clear:
refresh tokens live in simplejwt's outstanding/blacklist tables."""

from django.contrib.auth import authenticate
from django.db import transaction
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.tokens import RefreshToken

from apps.audit.enums import AuditAction
from apps.audit.services import audit_record
from apps.core.exceptions import ApplicationError


class InvalidCredentials(ApplicationError):
    code = "invalid_credentials"
    status_code = 401
    default_detail = "E-mail or password is not correct, or the account is inactive."


class InvalidToken(ApplicationError):
    code = "token_not_valid"
    status_code = 401
    default_detail = "The token is invalid, expired or already used."


def user_login(*, email: str, password: str, request=None) -> dict:
    """Check credentials and issue a token pair; every attempt is audited."""
    email = email.strip().lower()
    user = authenticate(request, email=email, password=password)
    if user is None or not user.is_active:
        audit_record(action=AuditAction.LOGIN_FAILED, email=email, request=request, entity_type="accounts.user")
        raise InvalidCredentials()
    refresh = RefreshToken.for_user(user)
    audit_record(
        action=AuditAction.LOGIN_SUCCEEDED, user=user, request=request, entity_type="accounts.user", entity_id=user.pk
    )
    from django.contrib.auth.models import update_last_login

    update_last_login(None, user)
    return {"access": str(refresh.access_token), "refresh": str(refresh)}


@transaction.atomic
def user_logout(*, user, refresh: str, request=None) -> None:
    try:
        token = RefreshToken(refresh)
    except TokenError as exc:
        raise InvalidToken(str(exc)) from None
    if str(token.get("user_id")) != str(user.pk):
        raise InvalidToken("This refresh token belongs to another user.")
    token.blacklist()
    audit_record(action=AuditAction.LOGOUT, user=user, request=request, entity_type="accounts.user", entity_id=user.pk)
