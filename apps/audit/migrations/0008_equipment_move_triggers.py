"""Append-only at the database level for the serials' history
(inventory.EquipmentMove), like the stock ledger it belongs to."""

from django.db import migrations

from apps.audit import triggers


def install(apps, schema_editor):
    triggers.install(schema_editor, triggers.EQUIPMENT_MOVE)


def drop(apps, schema_editor):
    triggers.drop(schema_editor, triggers.EQUIPMENT_MOVE)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0007_sealed_audit_rows"),
        ("inventory", "0004_equipment_move"),
    ]

    operations = [migrations.RunPython(install, drop)]
