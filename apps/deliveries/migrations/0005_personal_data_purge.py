"""PDPA retention: ``purged_at`` on the proof and its attachments, and the
append-only triggers installed again with the one purge they allow (a row's
GPS fix or file cleared once, nothing else changed; apps/audit/triggers.py
DELIVERY_PROOF, DELIVERY_ATTACHMENT)."""

from django.db import migrations, models

from apps.audit import triggers

GUARDS = [triggers.DELIVERY_PROOF, triggers.DELIVERY_ATTACHMENT]


def reinstall(apps, schema_editor):
    for guard in GUARDS:
        triggers.drop(schema_editor, guard)
        triggers.install(schema_editor, guard)


class Migration(migrations.Migration):
    dependencies = [
        ("deliveries", "0004_proof_triggers"),
    ]

    operations = [
        migrations.AddField(
            model_name="deliveryattachment",
            name="purged_at",
            field=models.DateTimeField(
                blank=True,
                help_text="When the image was deleted (personal data retention); the hash stays.",
                null=True,
            ),
        ),
        migrations.AddField(
            model_name="deliveryproof",
            name="purged_at",
            field=models.DateTimeField(
                blank=True, help_text="When the GPS fix was cleared (personal data retention).", null=True
            ),
        ),
        # on the way back the columns go first, and the 0004 triggers (no purge) come back
        migrations.RunPython(reinstall, reinstall),
    ]
