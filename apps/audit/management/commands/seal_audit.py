import time

from django.core.management.base import BaseCommand

from apps.audit.sealer import seal_pending


class Command(BaseCommand):
    help = (
        "Seal committed audit rows into the hash chain (what Celery beat does every AUDIT_SEAL_INTERVAL "
        "seconds); with --loop, keep sealing at that interval until stopped."
    )

    def add_arguments(self, parser):
        parser.add_argument("--loop", type=float, metavar="SECONDS", help="Seal again every SECONDS until stopped.")
        parser.add_argument("--batch-size", type=int, default=None, help="Rows per sealing transaction.")

    def handle(self, *args, **options):
        while True:
            result = seal_pending(batch_size=options["batch_size"])
            if result.sealed or not options["loop"]:
                self.stdout.write(
                    f"Sealed {result.sealed} audit row(s) in {result.batches} batch(es); "
                    f"chain head at {result.last_index}."
                )
            if not options["loop"]:
                return
            time.sleep(options["loop"])
