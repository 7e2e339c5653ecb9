"""Proof of delivery below the ORM: the proof row never changes, an
attachment is filled in once by its upload, nothing is deleted (see
apps/audit/triggers.py DELIVERY_PROOF, DELIVERY_ATTACHMENT)."""

from django.db import migrations

from apps.audit import triggers

GUARDS = [triggers.DELIVERY_PROOF, triggers.DELIVERY_ATTACHMENT]


def install(apps, schema_editor):
    for guard in GUARDS:
        triggers.install(schema_editor, guard)


def drop(apps, schema_editor):
    for guard in GUARDS:
        triggers.drop(schema_editor, guard)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0007_sealed_audit_rows"),
        ("deliveries", "0003_delivery_proof_attachments"),
    ]

    operations = [migrations.RunPython(install, drop)]
