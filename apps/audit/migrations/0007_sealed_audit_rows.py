"""Issue 12: the audit chain off the hot path.

Writing transactions insert audit rows without chain fields; the sealer
(apps.audit.sealer) chains committed rows in batches. ``sealed_at`` records
when, ``entry_mac`` (HMAC of the row's content with AUDIT_HMAC_KEY, set on
insert) shows that the application wrote the row, and the audit log's trigger is installed again so that it allows the
one sealing update (chain fields set while ``chain_index`` is NULL, nothing
else changed) and refuses every other update and delete as before. The
invoice guard now also freezes ``supply_date`` (the date of supply printed on
the tax invoice)."""

from django.db import migrations, models

from apps.audit import triggers


def reinstall(apps, schema_editor):
    triggers.reinstall_all(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0006_signed_head_no_escape_hatch"),
        ("billing", "0004_exact_cents_supply_date_tendered"),  # the invoice guard names supply_date
    ]

    operations = [
        migrations.AddField(
            model_name="auditlog",
            name="sealed_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="auditlog",
            name="entry_mac",
            field=models.CharField(blank=True, editable=False, max_length=64, null=True),
        ),
        migrations.RunPython(reinstall, reinstall),
    ]
