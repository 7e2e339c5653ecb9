from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from apps.orders.services import repeat_orders_generate


class Command(BaseCommand):
    help = (
        "Make the day's orders from the standing (repeat) orders, as Celery beat does every morning; "
        "running it again for the same day makes nothing new."
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", help="YYYY-MM-DD (default: today, Singapore time).")

    def handle(self, *args, **options):
        try:
            day = date.fromisoformat(options["date"]) if options["date"] else timezone.localdate()
        except ValueError:
            raise CommandError(f"Not a date: {options['date']!r} (write YYYY-MM-DD).") from None
        orders = repeat_orders_generate(actor=None, day=day)
        self.stdout.write(f"{len(orders)} repeat order(s) made for {day}: {[o.pk for o in orders]}")
