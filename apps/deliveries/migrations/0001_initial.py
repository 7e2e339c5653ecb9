# Delivery and DeliveryLine, moved from apps.distribution (distribution 0003).
# State only: the tables were created by distribution 0002 and keep their
# names (db_table) and rows. The content types follow the models, so admin
# history and permissions stay attached to them.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

MODELS = ("delivery", "deliveryline")


def content_types_follow(apps, schema_editor, source="distribution", target="deliveries"):
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    for model in MODELS:
        if not ContentType.objects.using(db).filter(app_label=target, model=model).exists():
            ContentType.objects.using(db).filter(app_label=source, model=model).update(app_label=target)


def content_types_back(apps, schema_editor):
    content_types_follow(apps, schema_editor, source="deliveries", target="distribution")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("billing", "0002_prices_meters_invoices"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("customers", "0001_initial"),
        ("depots", "0001_initial"),
        ("distribution", "0003_move_deliveries_to_deliveries_app"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Delivery",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("order_id", models.BigIntegerField(blank=True, db_index=True, null=True)),
                        ("payment_method", models.CharField(max_length=16)),
                        ("total_delivered", models.PositiveIntegerField(default=0)),
                        ("total_returned", models.PositiveIntegerField(default=0)),
                        ("occurred_at", models.DateTimeField(help_text="When it happened (the device's clock).")),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("created_by", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL)),
                        ("customer", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="deliveries", to="customers.customer")),
                        ("driver", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="deliveries", to=settings.AUTH_USER_MODEL)),
                        ("invoice", models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="delivery", to="billing.invoice")),
                        ("vehicle", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="deliveries", to="depots.vehicle")),
                    ],
                    options={
                        "db_table": "distribution_delivery",
                        "ordering": ["-id"],
                        "verbose_name_plural": "deliveries",
                    },
                ),
                migrations.CreateModel(
                    name="DeliveryLine",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("delivered_full", models.PositiveIntegerField(default=0)),
                        ("returned_empty", models.PositiveIntegerField(default=0)),
                        ("cylinder_type", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+", to="depots.cylindertype")),
                        ("delivery", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="lines", to="deliveries.delivery")),
                    ],
                    options={
                        "db_table": "distribution_deliveryline",
                        "ordering": ["id"],
                        "constraints": [
                            models.CheckConstraint(condition=models.Q(("delivered_full__gt", 0), ("returned_empty__gt", 0), _connector="OR"), name="deliveryline_not_empty"),
                            models.UniqueConstraint(fields=("delivery", "cylinder_type"), name="deliveryline_unique_type"),
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(content_types_follow, content_types_back, elidable=True),
    ]
