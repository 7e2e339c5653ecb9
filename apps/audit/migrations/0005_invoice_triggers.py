"""Issued invoices below the ORM: amounts, number and customer cannot be
updated, rows cannot be deleted (see apps/audit/triggers.py)."""

from django.db import migrations

from apps.audit import triggers


def install(apps, schema_editor):
    triggers.install(schema_editor, triggers.INVOICE)


def drop(apps, schema_editor):
    triggers.drop(schema_editor, triggers.INVOICE)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0004_action_without_choices"),
        ("billing", "0002_prices_meters_invoices"),
    ]

    operations = [migrations.RunPython(install, drop)]
