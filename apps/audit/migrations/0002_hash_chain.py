from django.db import migrations, models


def seal_existing_rows(apps, schema_editor):
    """Rows written before the chain existed are chained in id order, once."""
    from apps.audit.chain import GENESIS, row_hash

    AuditLog = apps.get_model("audit", "AuditLog")
    AuditChainHead = apps.get_model("audit", "AuditChainHead")
    index, prev = 0, GENESIS
    for row in AuditLog.objects.order_by("id").iterator():
        index += 1
        row.chain_index, row.prev_hash = index, prev
        row.row_hash = row_hash(row)
        AuditLog.objects.filter(pk=row.pk).update(
            chain_index=row.chain_index, prev_hash=row.prev_hash, row_hash=row.row_hash
        )
        prev = row.row_hash
    AuditChainHead.objects.update_or_create(pk=1, defaults={"last_index": index, "last_hash": prev if index else ""})


class Migration(migrations.Migration):

    dependencies = [
        ("audit", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="AuditChainHead",
            fields=[
                ("id", models.PositiveSmallIntegerField(default=1, primary_key=True, serialize=False)),
                ("last_index", models.PositiveBigIntegerField(default=0)),
                ("last_hash", models.CharField(blank=True, max_length=64)),
                ("updated_at", models.DateTimeField(auto_now=True)),
            ],
            options={
                "verbose_name": "audit chain head",
            },
        ),
        migrations.AddField(
            model_name="auditlog",
            name="chain_index",
            field=models.PositiveBigIntegerField(blank=True, editable=False, null=True, unique=True),
        ),
        migrations.AddField(
            model_name="auditlog",
            name="prev_hash",
            field=models.CharField(blank=True, editable=False, max_length=64),
        ),
        migrations.AddField(
            model_name="auditlog",
            name="row_hash",
            field=models.CharField(blank=True, editable=False, max_length=64),
        ),
        migrations.RunPython(seal_existing_rows, migrations.RunPython.noop),
    ]
