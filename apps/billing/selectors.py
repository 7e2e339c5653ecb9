"""Billing reads, scoped by role in the queryset: finance, admin and
supervisors see every invoice; a driver only those of their own deliveries;
depot staff none."""

from django.db.models import QuerySet

from apps.billing.models import CreditNote, Invoice
from apps.core.permissions import role_of
from apps.core.roles import Role

OFFICE = (Role.ADMIN, Role.SUPERVISOR, Role.FINANCE, Role.AUDITOR)  # who reads every invoice


def invoice_list(*, user) -> QuerySet[Invoice]:
    qs = Invoice.objects.select_related("delivery").order_by("-issue_date", "-id")
    role = role_of(user)
    if role in OFFICE:
        return qs
    if role == Role.DRIVER:
        return qs.filter(delivery__driver=user)
    return qs.none()


def invoice_detail_list(*, user) -> QuerySet[Invoice]:
    return invoice_list(user=user).prefetch_related("lines", "payments", "credit_notes")


def credit_note_list(*, user) -> QuerySet[CreditNote]:
    qs = CreditNote.objects.select_related("invoice").prefetch_related("lines").order_by("-id")
    return qs if role_of(user) in OFFICE else qs.none()
