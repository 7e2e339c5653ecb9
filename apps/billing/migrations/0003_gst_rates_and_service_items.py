"""GST rates as dated rows (3% from 1994 ... 7% from July 2007 to 2022, 8% in 2023, 9% from 2024) and the
two service items every depot charges; admins add others."""

from datetime import date
from decimal import Decimal

from django.db import migrations

GST_RATES = [
    (date(1994, 4, 1), Decimal("0.0300")),
    (date(2003, 1, 1), Decimal("0.0400")),
    (date(2004, 1, 1), Decimal("0.0500")),
    (date(2007, 7, 1), Decimal("0.0700")),
    (date(2023, 1, 1), Decimal("0.0800")),
    (date(2024, 1, 1), Decimal("0.0900")),
]
SERVICE_ITEMS = [
    ("DELIVERY_FEE", "Delivery fee", Decimal("5.00")),
    ("INSTALLATION_FEE", "Installation fee", Decimal("30.00")),
]


def forwards(apps, schema_editor):
    GstRate = apps.get_model("billing", "GstRate")
    ServiceItem = apps.get_model("billing", "ServiceItem")
    ServiceItemPrice = apps.get_model("billing", "ServiceItemPrice")
    for valid_from, rate in GST_RATES:
        GstRate.objects.get_or_create(valid_from=valid_from, defaults={"rate": rate})
    for code, name, price in SERVICE_ITEMS:
        item, _ = ServiceItem.objects.get_or_create(code=code, defaults={"name": name})
        ServiceItemPrice.objects.get_or_create(
            service_item=item, valid_from=date(2020, 1, 1), defaults={"price": price}
        )


def backwards(apps, schema_editor):
    GstRate = apps.get_model("billing", "GstRate")
    GstRate.objects.filter(valid_from__in=[d for d, _ in GST_RATES]).delete()


class Migration(migrations.Migration):
    dependencies = [("billing", "0002_prices_meters_invoices")]

    operations = [migrations.RunPython(forwards, backwards)]
