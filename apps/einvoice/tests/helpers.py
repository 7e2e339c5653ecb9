"""Issuing invoices and credit notes through billing's services for the
e-invoice tests (the same code path as a delivery's invoice)."""

from datetime import date
from decimal import Decimal

from django.db import transaction

from apps.billing.enums import InvoiceLineKind
from apps.billing.services import LineDraft, credit_note_create, credit_note_lines_issue, invoice_issue


def issue(world, lines: list[tuple[str, str, str, str]], *, customer=None, day=date(2026, 3, 2)):
    """lines: (kind, description, quantity, unit price)."""
    drafts = [LineDraft(kind=k, description=d, quantity=Decimal(q), unit_price=Decimal(p)) for k, d, q, p in lines]
    with transaction.atomic():
        return invoice_issue(
            actor=world.users["finance"], customer=customer or world.customers[0], payment_method="CHEQUE",
            lines=drafts, supply_date=day, issue_date=day,
        )  # fmt: skip


def credit_full(world, invoice):
    return credit_note_create(actor=world.users["finance"], invoice=invoice, reason="goods returned", lines=None)


def credit_lines(world, invoice, quantities: dict[int, Decimal], *, refund=False):
    """quantities: {position: quantity}; deposit lines through the refund path."""
    chosen = [{"invoice_line": line, "quantity": Decimal(quantities[line.position])}
              for line in invoice.lines.order_by("position") if line.position in quantities]  # fmt: skip
    if any(c["invoice_line"].kind == InvoiceLineKind.DEPOSIT for c in chosen) or refund:
        from apps.billing.services import _invoice_lock

        with transaction.atomic():
            locked = _invoice_lock(invoice.pk)
            return credit_note_lines_issue(actor=world.users["finance"], invoice=locked, reason="cylinders back",
                                           lines=chosen, refund_beyond_due=True)  # fmt: skip
    return credit_note_create(actor=world.users["finance"], invoice=invoice, reason="price", lines=chosen)


CYL, SVC, MTR, DEP = InvoiceLineKind.CYLINDER, InvoiceLineKind.SERVICE, InvoiceLineKind.METER, InvoiceLineKind.DEPOSIT
