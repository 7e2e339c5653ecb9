from django.conf import settings
from django.core.management.base import BaseCommand

from apps.deliveries.services import personal_data_purge


class Command(BaseCommand):
    help = (
        "Delete proof-of-delivery images and clear GPS fixes of deliveries older than "
        "PERSONAL_DATA_RETENTION_DAYS (PDPA retention; invoices, ledger and audit stay). "
        "Audited as a system action; Celery beat runs it daily (docs/customers.md)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Count what would be purged; change nothing.")

    def handle(self, *args, **options):
        result = personal_data_purge(dry_run=options["dry_run"])
        verb = "Would purge" if result.dry_run else "Purged"
        self.stdout.write(
            f"{verb}: {result.attachments} proof image(s), {result.proofs} GPS fix(es) of deliveries before "
            f"{result.cutoff:%Y-%m-%d %H:%M} UTC (retention {settings.PERSONAL_DATA_RETENTION_DAYS} days)"
            + (f"; {result.files_missing} file(s) were already gone" if result.files_missing else "")
            + "."
        )
