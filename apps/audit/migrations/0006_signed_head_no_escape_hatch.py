"""Issue 17: tamper evidence that survives the database owner.

- the chain head gets ``last_hmac`` (HMAC of index and hash with
  AUDIT_HMAC_KEY, a key from the environment); the current head is signed now;
- every trigger is installed again without the flush escape clause (the
  ``@lpg_flush`` session variable on MySQL, the ``audit_flush_marker`` row on
  SQLite, which is dropped), plus TRUNCATE triggers on PostgreSQL and the
  forward-only trigger on the chain head (apps/audit/triggers.py)."""

from django.db import migrations, models

from apps.audit import triggers


def sign_head(apps, schema_editor):
    from apps.audit.chain import head_hmac

    AuditChainHead = apps.get_model("audit", "AuditChainHead")
    for head in AuditChainHead.objects.using(schema_editor.connection.alias).all():
        head.last_hmac = head_hmac(head.last_index, head.last_hash)
        head.save(update_fields=["last_hmac"])


def reinstall(apps, schema_editor):
    triggers.reinstall_all(schema_editor.connection)


def drop_head_guard(apps, schema_editor):
    triggers.drop(schema_editor.connection, triggers.CHAIN_HEAD)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0005_invoice_triggers"),
    ]

    operations = [
        migrations.AddField(
            model_name="auditchainhead",
            name="last_hmac",
            field=models.CharField(blank=True, editable=False, max_length=64),
        ),
        migrations.RunPython(sign_head, migrations.RunPython.noop),
        migrations.RunPython(reinstall, drop_head_guard),
    ]
