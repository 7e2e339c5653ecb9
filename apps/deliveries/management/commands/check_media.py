from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError

from apps.billing.models import Invoice
from apps.deliveries.models import DeliveryAttachment


class Command(BaseCommand):
    help = (
        "List every file the database says is stored but storage does not have: delivery attachments "
        "marked uploaded (uploaded_at set) and not purged by the retention (purged_at), and rendered "
        "invoice PDFs. Exit 1 when any is missing "
        "(after a restore: the media copy is older than the database; docs/operations.md)."
    )

    def handle(self, *args, **options):
        missing = 0
        checked = 0
        # a purged image (PDPA retention, purge_personal_data) is gone on purpose: not missing
        attachments = DeliveryAttachment.objects.filter(uploaded_at__isnull=False, purged_at__isnull=True).order_by(
            "pk"
        )
        for row in attachments.values("pk", "delivery_id", "kind", "sha256", "file").iterator():
            checked += 1
            if not row["file"] or not default_storage.exists(row["file"]):
                missing += 1
                self.stdout.write(
                    f"MISSING attachment #{row['pk']} {row['kind']} of delivery #{row['delivery_id']}: "
                    f"{row['file'] or '(no file name)'} (sha256 {row['sha256']})"
                )
        invoices = Invoice.objects.exclude(pdf="").exclude(pdf__isnull=True).order_by("pk")
        for pk, number, name in invoices.values_list("pk", "number", "pdf").iterator():
            checked += 1
            if not default_storage.exists(name):
                missing += 1
                self.stdout.write(f"MISSING invoice PDF #{pk} {number}: {name}")
        if missing:
            raise CommandError(f"{missing} of {checked} stored file(s) missing from storage.")
        self.stdout.write(self.style.SUCCESS(f"Media complete: {checked} stored file(s) present."))
