"""Sign-in, token rotation, sign-out, password changes and deactivation.
Tokens are never stored in clear: refresh tokens live in simplejwt's
outstanding/blacklist tables; access tokens are short-lived (15 minutes)."""

from collections.abc import Mapping
from typing import Any

from django.contrib.auth import authenticate, password_validation
from django.contrib.auth.models import update_last_login
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.serializers import TokenRefreshSerializer
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import RefreshToken

from apps.accounts.authentication import user_id_claim_is_valid
from apps.accounts.models import User
from apps.audit.audited import admin_required, snapshot
from apps.audit.enums import AuditAction
from apps.audit.services import audit_record
from apps.core.exceptions import ApplicationError, Forbidden, ValidationFailed
from apps.core.locks import lock_entities, lock_entity
from apps.core.roles import Role
from apps.core.typing import AnyRequest


class InvalidCredentials(ApplicationError):
    code = "invalid_credentials"
    status_code = 401
    default_detail = "E-mail or password is not correct, or the account is inactive."


class InvalidToken(ApplicationError):
    code = "token_not_valid"
    status_code = 401
    default_detail = "The token is invalid, expired or already used."


def user_login(*, email: str, password: str, request: AnyRequest | None = None) -> dict:
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
    update_last_login(None, user)  # type: ignore[arg-type]  # the signal receiver ignores the sender
    return {"access": str(refresh.access_token), "refresh": str(refresh)}


def _parse_refresh(raw: str) -> RefreshToken:
    try:
        token = RefreshToken(raw)  # type: ignore[arg-type]  # the stubs miss the encoded-token form
    except TokenError as exc:
        raise InvalidToken(str(exc)) from None
    if not user_id_claim_is_valid(token.get("user_id")):
        raise InvalidToken("The token's user id is not valid.")
    return token


@transaction.atomic
def token_refresh(*, refresh: str) -> dict:
    """Rotate a refresh token: answer a new pair and blacklist the one sent.
    simplejwt checks the blacklist and then blacklists without a lock, so two
    concurrent refreshes with one token could both succeed; here the token's
    OutstandingToken row is locked first, so the second waits, then finds the
    token blacklisted and is refused: one token, at most one new pair."""
    token = _parse_refresh(refresh)
    jti = token.get("jti")
    lock_entities(OutstandingToken.objects.filter(jti=jti).only("id"))
    if BlacklistedToken.objects.filter(token__jti=jti).exists():
        raise InvalidToken("Token is blacklisted")
    serializer = TokenRefreshSerializer(data={"refresh": refresh})
    try:
        serializer.is_valid(raise_exception=True)
    except TokenError as exc:
        raise InvalidToken(str(exc)) from None
    except User.DoesNotExist:
        raise InvalidToken("The token's user does not exist.") from None
    return serializer.validated_data


@transaction.atomic
def user_logout(*, user: User, refresh: str, request: AnyRequest | None = None) -> None:
    token = _parse_refresh(refresh)
    if str(token.get("user_id")) != str(user.pk):
        raise InvalidToken("This refresh token belongs to another user.")
    token.blacklist()
    audit_record(action=AuditAction.LOGOUT, user=user, request=request, entity_type="accounts.user", entity_id=user.pk)


def user_tokens_revoke(*, user: User) -> int:
    """Blacklist every outstanding refresh token of ``user``; returns how many
    were newly blacklisted. Access tokens expire on their own (15 minutes) and
    stop at once for an inactive user (JWTAuthentication checks is_active)."""
    outstanding = OutstandingToken.objects.filter(user=user).exclude(blacklistedtoken__isnull=False)
    ids = list(outstanding.values_list("id", flat=True))
    BlacklistedToken.objects.bulk_create([BlacklistedToken(token_id=i) for i in ids], ignore_conflicts=True)
    return len(ids)


@transaction.atomic
def user_password_change(
    *,
    actor: User,
    user: User,
    new_password: str | None,
    old_password: str | None = None,
    by_admin_form: bool = False,
    request: AnyRequest | None = None,
) -> User:
    """Set a new password (validated by AUTH_PASSWORD_VALIDATORS); every
    outstanding refresh token of the user stops working, and the change is
    audited (never the password). A user changing their own password must
    give the old one; an admin may reset anyone's, and in the Django admin
    (``by_admin_form``, a signed-in admin's session) their own too.
    ``new_password`` None (the admin's "disable password-based sign-in")
    leaves the account without a usable password."""
    is_self = actor.pk == user.pk
    if not getattr(actor, "is_admin", False) and (not is_self or by_admin_form):
        raise Forbidden("Only an admin may set another user's password.")
    if is_self and not by_admin_form and (old_password is None or not user.check_password(old_password)):
        raise ValidationFailed({"old_password": ["The current password is not correct."]})
    if new_password is None and not by_admin_form:
        raise ValidationFailed({"new_password": ["This field is required."]})
    if new_password is not None:
        try:
            password_validation.validate_password(new_password, user=user)
        except DjangoValidationError as exc:
            raise ValidationFailed({"new_password": list(exc.messages)}) from None
    user.set_password(new_password)  # None: unusable
    user.save(update_fields=["password"])
    revoked = user_tokens_revoke(user=user)
    audit_record(
        action=AuditAction.PASSWORD_CHANGED,
        user=actor,
        entity_type="accounts.user",
        entity_id=user.pk,
        after={
            "refresh_tokens_revoked": revoked,
            "by_admin": not is_self or by_admin_form,
            "usable_password": new_password is not None,
        },
        request=request,
    )
    return user


@transaction.atomic
def user_deactivate(*, actor: User, user: User, request: AnyRequest | None = None) -> User:
    """People leave: the account stays (history points at it) but can no
    longer sign in, and every token it holds stops working."""
    if not getattr(actor, "is_admin", False):
        raise Forbidden("Only an admin may deactivate users.")
    User.objects.filter(pk=user.pk).update(is_active=False)
    user.is_active = False
    revoked = user_tokens_revoke(user=user)
    audit_record(
        action=AuditAction.USER_DEACTIVATED,
        user=actor,
        entity_type="accounts.user",
        entity_id=user.pk,
        before={"is_active": True},
        after={"is_active": False, "refresh_tokens_revoked": revoked},
        request=request,
    )
    return user


# Fields an admin sets on a user (the admin's user page); the password has its
# own service and is never among them.
USER_FIELDS = (
    "email", "name", "employee_id", "phone", "role", "depot", "vehicle", "is_active", "is_staff", "is_superuser",
)  # fmt: skip


def _check_customer_not_staff(user: User) -> None:
    """A customer's contact never gets the Django admin (docs/customers.md)."""
    if user.role == Role.CUSTOMER and (user.is_staff or user.is_superuser):
        raise ValidationFailed({"is_staff": ["A customer's contact cannot sign in to the admin."]})


def _user_data(data: Mapping[str, Any]) -> dict:
    unknown = set(data) - set(USER_FIELDS)
    if unknown:
        raise ValidationFailed({name: ["This field cannot be set here."] for name in sorted(unknown)})
    data = dict(data)
    if "email" in data:
        data["email"] = str(data["email"]).strip().lower()
    return data


@transaction.atomic
def user_create(
    *, actor: User, password: str | None, data: Mapping[str, Any], request: AnyRequest | None = None
) -> User:
    """A new account (admins only), audited without its password. No
    password: the account cannot sign in until one is set."""
    admin_required(actor)
    data = _user_data(data)
    user = User(**data)
    _check_customer_not_staff(user)
    if password:
        try:
            password_validation.validate_password(password, user=user)
        except DjangoValidationError as exc:
            raise ValidationFailed({"password": list(exc.messages)}) from None
    user.set_password(password)  # None: unusable
    user.save(force_insert=True)
    audit_record(
        action=AuditAction.USER_CREATED,
        user=actor,
        entity_type="accounts.user",
        entity_id=user.pk,
        after={**snapshot(user, data), "has_password": bool(password)},
        request=request,
    )
    return user


@transaction.atomic
def user_update(*, actor: User, user: User, data: Mapping[str, Any], request: AnyRequest | None = None) -> User:
    """Change a user's person, role or access fields (admins only). One audit
    row with the before and after of what changed: ``auth.user_deactivated``
    when the account is switched off (every refresh token is revoked then, as
    by ``user_deactivate``), else ``auth.user_changed``. A role, depot or
    vehicle change takes effect on the next request: permissions are read
    from the row, not from the token."""
    admin_required(actor)
    data = _user_data(data)
    locked = lock_entity(User.objects.filter(pk=user.pk))
    before = snapshot(locked, data)
    for name, value in data.items():
        setattr(locked, name, value)
    _check_customer_not_staff(locked)
    after = snapshot(locked, data)
    changed = [name for name in data if before[name] != after[name]]
    if not changed:
        return locked
    locked.save(update_fields=[getattr(User._meta.get_field(name), "attname", name) for name in changed])
    deactivated = before.get("is_active") is True and after.get("is_active") is False
    extra = {"refresh_tokens_revoked": user_tokens_revoke(user=locked)} if deactivated else {}
    audit_record(
        action=AuditAction.USER_DEACTIVATED if deactivated else AuditAction.USER_CHANGED,
        user=actor,
        entity_type="accounts.user",
        entity_id=locked.pk,
        before={name: before[name] for name in changed},
        after={**{name: after[name] for name in changed}, **extra},
        request=request,
    )
    return locked
