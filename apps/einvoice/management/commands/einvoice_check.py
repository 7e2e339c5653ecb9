"""Render (when missing) and report the e-invoice of every tax invoice and
credit note, or those issued in a period: READY or the failed rules. Exit
status 1 when any document fails a fatal rule (CI, go-live checks).

``--revalidate``: also run today's rules (ours and the official files) over
every stored READY file, read back from storage, and count any that no longer
pass as invalid; the stored file and its row are never changed (a READY
e-invoice is immutable: a document that fails now needs a credit note and a
new invoice, or a rule file that is wrong)."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from apps.billing.models import CreditNote, Invoice
from apps.einvoice.enums import DocumentKind, EInvoiceStatus
from apps.einvoice.services import document_of, einvoice_render_if_missing, expected_of
from apps.einvoice.validation import validate


class Command(BaseCommand):
    help = "Validate the PINT-SG e-invoice of every invoice and credit note (rendering missing ones)."

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="date_from", type=date.fromisoformat)
        parser.add_argument("--to", dest="date_to", type=date.fromisoformat)
        parser.add_argument("--revalidate", action="store_true", help="validate stored READY files again")

    def handle(self, *args, date_from=None, date_to=None, revalidate=False, **options):
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
            errors = row.errors
            if row.status == EInvoiceStatus.READY:
                if revalidate:
                    with row.file.open("rb") as stored:
                        errors = [
                            f.as_dict() for f in validate(stored.read(), expected_of(document_of(kind, pk))).errors
                        ]
                if not errors:
                    self.stdout.write(f"{row.number}: READY {row.sha256}")
                    continue
            invalid += 1
            for error in errors:
                self.stdout.write(f"{row.number}: [{error['rule']}] {error['text']} {error.get('detail', '')}")
        self.stdout.write(f"{len(documents)} documents, {invalid} invalid")
        if invalid:
            raise CommandError(f"{invalid} document(s) fail a fatal PINT-SG rule")
