"""Billing reads, scoped by role in the queryset: finance, admin and
supervisors see every invoice; a driver only those of their own deliveries;
depot staff none."""

from django.db.models import QuerySet

from apps.billing.models import CreditNote, Invoice
from apps.core.scoping import scope_by_role


def invoice_list(*, user) -> QuerySet[Invoice]:
    qs = Invoice.objects.select_related("delivery").order_by("-issue_date", "-id")
    return scope_by_role(qs, user, driver="delivery__driver")


def invoice_detail_list(*, user) -> QuerySet[Invoice]:
    return invoice_list(user=user).prefetch_related("lines", "payments", "credit_notes")


def credit_note_list(*, user) -> QuerySet[CreditNote]:
    qs = CreditNote.objects.select_related("invoice").prefetch_related("lines").order_by("-id")
    return scope_by_role(qs, user)
