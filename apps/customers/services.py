"""Customers: written by admins only, from the API or the Django admin,
through these functions (atomic, audited; see apps.audit.audited). A customer
is never deleted (invoices point at it): deactivate it."""

from collections.abc import Mapping
from typing import Any

from apps.accounts.models import User
from apps.audit.audited import row_create, row_update
from apps.core.exceptions import ValidationFailed
from apps.customers.models import Customer
from apps.customers.rules import hours_errors


def customer_hours_check(before: Customer | None, after: Customer) -> None:
    """Receiving hours: from before until, and a household's inside 07:00-21:00
    (400 on the field). Run on the locked row by the services and on the
    admin's form (``service_check``)."""
    errors = hours_errors(
        kind=after.kind,
        start=after.receiving_from,
        end=after.receiving_until,
        start_field="receiving_from",
        end_field="receiving_until",
    )
    if errors:
        raise ValidationFailed(errors, detail=" ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()))


def customer_create(*, actor: User, data: Mapping[str, Any]) -> Customer:
    return row_create(actor=actor, model=Customer, data=data, check=customer_hours_check)


def customer_update(*, actor: User, customer: Customer, data: Mapping[str, Any]) -> Customer:
    return row_update(actor=actor, instance=customer, data=data, check=customer_hours_check)
