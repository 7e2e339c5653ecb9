"""Finance PDFs in the invoice's house style (billing's stylesheet, the same
URL fetcher that reads only the project's static files): the statement of
account and the credit note. Rendered outside any transaction."""

from django.conf import settings
from django.template.loader import render_to_string

from apps.billing.models import CreditNote
from apps.billing.pdf import html_to_pdf, quantity_text, static_uri, unit_price_text
from apps.billing.serializers import gst_percent
from apps.finance.selectors import BUCKETS, Statement


def _html(template: str, context: dict) -> str:
    return render_to_string(
        template, {"company": settings.COMPANY, "stylesheet": static_uri("billing/invoice.css"), **context}
    )


def _pdf(template: str, context: dict, to_pdf=html_to_pdf) -> bytes:
    """``to_pdf``: WeasyPrint here, or a recycled child process (pdf_child.py)."""
    return to_pdf(_html(template, context))


def statement_pdf_bytes(statement: Statement) -> bytes:
    return _pdf(
        "finance/statement.html",
        {
            "statement": statement,
            "customer": statement.customer,
            "ageing": [statement.ageing[b] for b in BUCKETS],
        },
    )


def credit_note_pdf_bytes(note: CreditNote, to_pdf=html_to_pdf) -> bytes:
    lines = [
        {
            "description": line.description,
            "quantity": quantity_text(line.quantity),
            "unit_price": unit_price_text(line.unit_price),
            "amount": line.amount,
        }
        for line in note.lines.order_by("id")
    ]
    return _pdf(
        "finance/credit_note.html",
        {"note": note, "invoice": note.invoice, "lines": lines, "gst_percent": gst_percent(note.gst_rate)},
        to_pdf,
    )
