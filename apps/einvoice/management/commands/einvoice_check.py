"""Render (when missing) and report the e-invoice of every tax invoice and
credit note, or those issued in a period: READY or the failed rules. Exit
status 1 when any document fails a fatal rule (CI, go-live checks)."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from apps.billing.models import CreditNote, Invoice
from apps.einvoice.enums import DocumentKind, EInvoiceStatus
from apps.einvoice.services import einvoice_render_if_missing


class Command(BaseCommand):
    help = "Validate the PINT-SG e-invoice of every invoice and credit note (rendering missing ones)."

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="date_from", type=date.fromisoformat)
        parser.add_argument("--to", dest="date_to", type=date.fromisoformat)

    def handle(self, *args, date_from=None, date_to=None, **options):
        period = {}
        if date_from:
            period["issue_date__gte"] = date_from
        if date_to:
            period["issue_date__lte"] = date_to
        documents = [(DocumentKind.INVOICE, pk) for pk in Invoice.objects.filter(**period).values_list("pk", flat=True)]
        documents += [
            (DocumentKind.CREDIT_NOTE, pk) for pk in CreditNote.objects.filter(**period).values_list("pk", flat=True)
        ]
        invalid = 0
        for kind, pk in documents:
            row = einvoice_render_if_missing(kind=kind, document_id=pk)
            if row.status == EInvoiceStatus.READY:
                self.stdout.write(f"{row.number}: READY {row.sha256}")
                continue
            invalid += 1
            for error in row.errors:
                self.stdout.write(f"{row.number}: [{error['rule']}] {error['text']} {error.get('detail', '')}")
        self.stdout.write(f"{len(documents)} documents, {invalid} invalid")
        if invalid:
            raise CommandError(f"{invalid} document(s) fail a fatal PINT-SG rule")
