"""Customers: written by admins only, from the API or the Django admin,
through these functions (atomic, audited; see apps.audit.audited). A customer
is never deleted (invoices point at it): deactivate it."""

import hashlib
import secrets
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.mail import EmailMessage
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from apps.accounts.models import User
from apps.audit.audited import row_create, row_update
from apps.audit.services import audit_record
from apps.core.background import enqueue_after_commit
from apps.core.exceptions import ApplicationError, Forbidden, ValidationFailed
from apps.core.locks import lock_entities, lock_entity
from apps.core.permissions import role_of
from apps.core.roles import Role
from apps.customers.enums import CustomerAuditAction, CustomerKind
from apps.customers.models import ContactInvite, Customer, CustomerContact
from apps.customers.rules import hours_errors


def customer_hours_check(before: Customer | None, after: Customer) -> None:
    """Receiving hours: from before until, and a household's inside 07:00-21:00
    (400 on the field); a household has no Peppol ID (e-invoices are B2B).
    Run on the locked row by the services and on the admin's form
    (``service_check``)."""
    errors = hours_errors(
        kind=after.kind,
        start=after.receiving_from,
        end=after.receiving_until,
        start_field="receiving_from",
        end_field="receiving_until",
    )
    if after.peppol_id and after.kind == CustomerKind.HOUSEHOLD:
        errors["peppol_id"] = ["A household has no Peppol participant ID: it gets the PDF only."]
    if errors:
        raise ValidationFailed(errors, detail=" ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()))


def customer_create(*, actor: User, data: Mapping[str, Any]) -> Customer:
    return row_create(actor=actor, model=Customer, data=data, check=customer_hours_check)


def customer_update(*, actor: User, customer: Customer, data: Mapping[str, Any]) -> Customer:
    return row_update(actor=actor, instance=customer, data=data, check=customer_hours_check)


# -- contacts: the customer's own logins (docs/customers.md) -------------------------------------------


class InviteInvalid(ApplicationError):
    code = "invite_invalid"
    status_code = 400
    default_detail = "This invite link is not valid. Ask the office for a new one."


class InviteUsed(ApplicationError):
    code = "invite_used"
    status_code = 410
    default_detail = "This invite link was already used. Sign in with your password, or ask the office for a new link."


class InviteExpired(ApplicationError):
    code = "invite_expired"
    status_code = 410
    default_detail = "This invite link has expired. Ask the office for a new one."


class CustomerInactive(ApplicationError):
    code = "customer_inactive"
    status_code = 403
    default_detail = "This customer account is closed. Please call the office."


INVITERS = (Role.ADMIN, Role.SUPERVISOR, Role.FINANCE)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


@transaction.atomic
def contact_invite(*, actor: User, customer: Customer, email: str, name: str = "") -> ContactInvite:
    """Invite a contact of ``customer`` by e-mail. Invariant: one login is the
    contact of one customer only, never staff; a new invite revokes the
    contact's earlier unused ones; only the token's hash is stored. The
    e-mail (with the token) is queued after commit."""
    if role_of(actor) not in INVITERS:
        raise Forbidden("Only the office (admin, supervisor, finance) may invite a customer's contact.")
    if not customer.is_active:
        raise CustomerInactive("This customer is inactive: activate it before inviting a contact.")
    email = email.strip().lower()
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        user = User.objects.create_user(email, None, name=name.strip() or email, role=Role.CUSTOMER)
        contact = CustomerContact.objects.create(customer=customer, user=user, invited_by=actor)
        created = True
    else:
        found = CustomerContact.objects.filter(user=user).first()
        if found is None or found.customer_id != customer.pk:
            raise ValidationFailed({"email": ["This address already signs in for another account."]})
        contact, created = found, False
    now = timezone.now()
    ContactInvite.objects.filter(contact=contact, used_at__isnull=True, revoked_at__isnull=True).update(revoked_at=now)
    token = secrets.token_urlsafe(32)
    invite = ContactInvite.objects.create(
        contact=contact,
        token_hash=token_hash(token),
        expires_at=now + timedelta(hours=settings.CUSTOMER_INVITE_HOURS),
        created_by=actor,
    )
    audit_record(
        action=CustomerAuditAction.CONTACT_INVITED,
        user=actor,
        entity_type="customers.customercontact",
        entity_id=contact.pk,
        after={"customer": customer.pk, "email": email, "invite": invite.pk, "new_login": created,
               "expires_at": invite.expires_at.isoformat()},
    )  # fmt: skip
    from apps.customers.tasks import contact_invite_send

    enqueue_after_commit(contact_invite_send, invite.pk, token)
    return invite


@transaction.atomic
def invite_accept(*, token: str, password: str, name: str = "") -> CustomerContact:
    """Set the contact's password with a one-time token: unknown 400
    ``invite_invalid``, used or replaced 410 ``invite_used``, past its time 410
    ``invite_expired``, the customer inactive 403 ``customer_inactive``.
    The invite row is locked, so two concurrent uses make one password."""
    found = lock_entities(ContactInvite.objects.filter(token_hash=token_hash(token)).order_by("pk"))
    if not found:
        raise InviteInvalid()
    invite = found[0]
    if invite.used_at is not None or invite.revoked_at is not None:
        raise InviteUsed()
    if invite.expires_at <= timezone.now():
        raise InviteExpired()
    contact = CustomerContact.objects.select_related("customer", "user").get(pk=invite.contact_id)
    if not contact.customer.is_active or not contact.user.is_active:
        raise CustomerInactive()
    user = contact.user
    if name.strip():
        user.name = name.strip()[:150]
    try:
        password_validation.validate_password(password, user=user)
    except DjangoValidationError as exc:
        raise ValidationFailed({"password": list(exc.messages)}) from None
    user.set_password(password)
    user.save(update_fields=["password", "name"])
    ContactInvite.objects.filter(pk=invite.pk).update(used_at=timezone.now())
    audit_record(
        action=CustomerAuditAction.INVITE_ACCEPTED,
        user=user,
        entity_type="customers.customercontact",
        entity_id=contact.pk,
        after={"customer": contact.customer_id, "invite": invite.pk},
    )
    return contact


def invite_link(token: str) -> str:
    """The link of the invite e-mail: the customer app's ``#/invite`` screen."""
    return f"{settings.CUSTOMER_APP_URL.rstrip('/')}/#/invite?token={token}"


def invite_email_send(*, invite_id: int, token: str) -> None:
    """Send one invite (the Celery task's body); the token is in the link only."""
    invite = ContactInvite.objects.select_related("contact__user", "contact__customer").get(pk=invite_id)
    if invite.used_at is not None or invite.revoked_at is not None:
        return
    company = settings.COMPANY
    user, customer = invite.contact.user, invite.contact.customer
    # The customer app's hash route: the token stays in the browser (a fragment
    # is never sent to the server, so no access log or proxy keeps it).
    link = invite_link(token)
    body = (
        f"Dear {user.name},\n\n{company['name']} invites you to order gas and see the account of "
        f"{customer.name} online.\nSet your password here (the link works once, until "
        f"{timezone.localtime(invite.expires_at):%d/%m/%Y %H:%M}):\n{link}\n\n"
        f"We keep your name, e-mail and the orders you place to deliver your gas and bill "
        f"{customer.name} (PDPA); ask the office to correct or remove them.\n\n{company['name']}\n{company['phone']}\n"
    )
    EmailMessage(
        subject=f"Your {company['name']} customer account", body=body, from_email=settings.DEFAULT_FROM_EMAIL,
        to=[user.email], reply_to=[company["email"]],
    ).send(fail_silently=False)  # fmt: skip
    ContactInvite.objects.filter(pk=invite.pk).update(sent_at=timezone.now())


# -- a contact's own settings, and corrections by the office (docs/customers.md, "Personal data") ----

# Who corrects a contact's name, e-mail and phone: the office that may invite one.
CORRECTORS = INVITERS
CORRECTABLE = ("name", "email", "phone")


def _contact_view(contact: CustomerContact) -> dict:
    user = contact.user
    return {"name": user.name, "email": user.email, "phone": user.phone, "notify_orders": contact.notify_orders}


@transaction.atomic
def contact_preferences_set(*, actor: User, notify_orders: bool) -> CustomerContact:
    """A contact switches its own order e-mails on or off (its only writable
    setting: name, e-mail and phone are corrected by the office). Audited
    with before and after; the same value again records nothing."""
    found = lock_entities(CustomerContact.objects.filter(user_id=actor.pk).select_related("user"))
    if role_of(actor) != Role.CUSTOMER or not found:
        raise Forbidden("Only a customer's contact has these settings.")
    contact = found[0]
    if contact.notify_orders == notify_orders:
        return contact
    CustomerContact.objects.filter(pk=contact.pk).update(notify_orders=notify_orders)
    audit_record(
        action=CustomerAuditAction.CONTACT_PREFERENCES,
        user=actor,
        entity_type="customers.customercontact",
        entity_id=contact.pk,
        before={"notify_orders": contact.notify_orders},
        after={"notify_orders": notify_orders},
    )
    contact.notify_orders = notify_orders
    return contact


@transaction.atomic
def contact_correct(*, actor: User, contact: CustomerContact, data: Mapping[str, Any]) -> CustomerContact:
    """The office corrects a contact's name, e-mail or phone (the contact
    asks; it cannot change its own e-mail, which is its sign-in). Invariant:
    an address stays unique among logins (400 on ``email``); the audit row
    holds the before and after of what changed; nothing changed records
    nothing. The contact's sessions stay valid (its password is unchanged)."""
    if role_of(actor) not in CORRECTORS:
        raise Forbidden("Only the office (admin, supervisor, finance) may correct a contact's details.")
    unknown = set(data) - set(CORRECTABLE)
    if unknown:
        raise ValidationFailed({k: ["This field cannot be corrected here."] for k in sorted(unknown)})
    contact = lock_entity(CustomerContact.objects.filter(pk=contact.pk))
    user = lock_entity(User.objects.filter(pk=contact.user_id))
    contact.user = user
    before = _contact_view(contact)
    changes: dict[str, str] = {}
    if "name" in data:
        name = str(data["name"]).strip()
        if not name:
            raise ValidationFailed({"name": ["A contact has a name."]})
        changes["name"] = name[:150]
    if "email" in data:
        email = str(data["email"]).strip().lower()
        try:
            validate_email(email)
        except DjangoValidationError:
            raise ValidationFailed({"email": ["Enter a valid e-mail address."]}) from None
        if User.objects.filter(email__iexact=email).exclude(pk=user.pk).exists():
            raise ValidationFailed({"email": ["This address already signs in for another account."]})
        changes["email"] = email
    if "phone" in data:
        changes["phone"] = str(data["phone"]).strip()[:32]
    changes = {k: v for k, v in changes.items() if getattr(user, k) != v}
    if not changes:
        return contact
    for key, value in changes.items():
        setattr(user, key, value)
    user.save(update_fields=list(changes))
    audit_record(
        action=CustomerAuditAction.CONTACT_CORRECTED,
        user=actor,
        entity_type="customers.customercontact",
        entity_id=contact.pk,
        before={k: before[k] for k in changes},
        after={"customer": contact.customer_id, **changes},
    )
    return contact
