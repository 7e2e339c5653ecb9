"""Customers: written by admins only, from the API or the Django admin,
through these functions (atomic, audited; see apps.audit.audited). A customer
is never deleted (invoices point at it): deactivate it."""

from collections.abc import Mapping
from typing import Any

from apps.accounts.models import User
from apps.audit.audited import row_create, row_update
from apps.customers.models import Customer


def customer_create(*, actor: User, data: Mapping[str, Any]) -> Customer:
    return row_create(actor=actor, model=Customer, data=data)


def customer_update(*, actor: User, customer: Customer, data: Mapping[str, Any]) -> Customer:
    return row_update(actor=actor, instance=customer, data=data)
