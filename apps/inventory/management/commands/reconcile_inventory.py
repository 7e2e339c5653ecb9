"""Recompute every balance from the ledger and report drift; exit 1 on any."""

from django.core.management.base import BaseCommand, CommandError

from apps.inventory.models import StockBalance, StockMove
from apps.inventory.selectors import balance_drift


class Command(BaseCommand):
    help = "Recompute all stock balances from the ledger (grouped queries) and report any drift."

    def handle(self, *args, **options):
        drifts = balance_drift()
        moves, balances = StockMove.objects.count(), StockBalance.objects.count()
        if not drifts:
            self.stdout.write(self.style.SUCCESS(f"No drift: {balances} balances agree with {moves} ledger moves."))
            return
        for d in drifts:
            self.stdout.write(
                f"DRIFT location {d.location_id} ({d.location_name}) type {d.cylinder_type_id} {d.state}: "
                f"ledger {d.ledger}, balance {d.balance}, difference {d.balance - d.ledger:+d}"
            )
        raise CommandError(f"{len(drifts)} balance(s) disagree with the ledger.")
