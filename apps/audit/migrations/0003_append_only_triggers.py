"""Append-only at the database level: triggers refuse UPDATE and DELETE on the
audit log and the stock ledger (see apps/audit/triggers.py, which also
explains how ``flush`` still works on SQLite and MySQL)."""

from django.db import migrations

from apps.audit import triggers

GUARDS = [triggers.AUDIT_LOG, triggers.STOCK_MOVE]


def install(apps, schema_editor):
    for guard in GUARDS:
        triggers.install(schema_editor, guard)


def drop(apps, schema_editor):
    for guard in GUARDS:
        triggers.drop(schema_editor, guard)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0002_hash_chain"),
        ("inventory", "0002_virtual_locations"),
    ]

    operations = [migrations.RunPython(install, drop)]
