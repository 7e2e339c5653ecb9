"""Recompute every balance from the ledger and report drift; check every
serial's position against its history and the balances; exit 1 on any finding."""

from django.core.management.base import BaseCommand, CommandError

from apps.inventory.models import StockBalance, StockMove
from apps.inventory.selectors import balance_drift, serial_drift


class Command(BaseCommand):
    help = "Recompute all stock balances from the ledger (grouped queries) and report any drift."

    def handle(self, *args, **options):
        drifts = balance_drift()
        serials = serial_drift()
        moves, balances = StockMove.objects.count(), StockBalance.objects.count()
        if not drifts and not serials:
            self.stdout.write(
                self.style.SUCCESS(
                    f"No drift: {balances} balances agree with {moves} ledger moves; every serial is where its "
                    "history and the balances say."
                )
            )
            return
        for d in drifts:
            self.stdout.write(
                f"DRIFT location {d.location_id} ({d.location_name}) type {d.cylinder_type_id} {d.state}: "
                f"ledger {d.ledger}, balance {d.balance}, difference {d.balance - d.ledger:+d}"
            )
        for f in serials:
            self.stdout.write(f"SERIAL {f.kind.upper()} {f.detail}")
        problems = []
        if drifts:
            problems.append(f"{len(drifts)} balance(s) disagree with the ledger")
        if serials:
            problems.append(f"{len(serials)} serial finding(s)")
        raise CommandError("; ".join(problems) + ".")
