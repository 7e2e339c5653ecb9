# Sequence, moved from apps.billing (billing 0005). State only: the table
# billing_sequence was created by billing 0001 and keeps its name (db_table)
# and rows. The content type follows the model.

from django.db import migrations, models


def content_type_follows(apps, schema_editor, source="billing", target="core"):
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    if not ContentType.objects.using(db).filter(app_label=target, model="sequence").exists():
        ContentType.objects.using(db).filter(app_label=source, model="sequence").update(app_label=target)


def content_type_back(apps, schema_editor):
    content_type_follows(apps, schema_editor, source="core", target="billing")


class Migration(migrations.Migration):
    dependencies = [
        ("billing", "0005_move_sequence_to_core"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("core", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Sequence",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("slug", models.CharField(max_length=64, unique=True)),
                        ("current_value", models.PositiveBigIntegerField(default=0)),
                        ("format_string", models.CharField(help_text="Python format, e.g. INV-2026-{value:06d}", max_length=64)),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                    ],
                    options={"db_table": "billing_sequence", "ordering": ["slug"]},
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(content_type_follows, content_type_back, elidable=True),
    ]
