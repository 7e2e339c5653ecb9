# Delivery.order_id (a bare integer) becomes the foreign key Delivery.order to
# orders.Order (PROTECT, null). The column keeps its name, order_id, and its
# values: the database gains the constraint (SQLite rebuilds the table, which
# carries no audit trigger), the state renames the field.

import django.db.models.deletion
from django.db import migrations, models


def refuse_dangling_orders(apps, schema_editor):
    Delivery = apps.get_model("deliveries", "Delivery")
    Order = apps.get_model("orders", "Order")
    db = schema_editor.connection.alias
    dangling = list(
        Delivery.objects.using(db)
        .exclude(order_id=None)
        .exclude(order_id__in=Order.objects.using(db).values("pk"))
        .values_list("pk", flat=True)[:20]
    )
    if dangling:
        raise RuntimeError(f"deliveries pointing at no order (ids {dangling}): fix them before this migration")


class Migration(migrations.Migration):
    dependencies = [
        ("deliveries", "0001_initial"),
        ("orders", "0002_partly_delivered"),
    ]

    operations = [
        migrations.RunPython(refuse_dangling_orders, migrations.RunPython.noop, elidable=True),
        migrations.SeparateDatabaseAndState(
            database_operations=[
                # same column, now with the constraint (and its index, as before)
                migrations.AlterField(
                    model_name="delivery",
                    name="order_id",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        db_column="order_id",
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="orders.order",
                    ),
                ),
            ],
            state_operations=[
                migrations.RemoveField(model_name="delivery", name="order_id"),
                migrations.AddField(
                    model_name="delivery",
                    name="order",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="deliveries",
                        to="orders.order",
                    ),
                ),
            ],
        ),
    ]
