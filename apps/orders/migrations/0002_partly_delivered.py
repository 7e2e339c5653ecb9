"""Partial fulfilment: PARTLY_DELIVERED and the quantity delivered per line."""

from django.db import migrations, models


def delivered_orders_fully_delivered(apps, schema_editor):
    """Orders delivered before partial fulfilment existed were delivered in full."""
    OrderLine = apps.get_model("orders", "OrderLine")
    OrderLine.objects.filter(order__status="DELIVERED").update(delivered_quantity=models.F("quantity"))


class Migration(migrations.Migration):

    dependencies = [
        ('depots', '0001_initial'),
        ('orders', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='orderline',
            name='delivered_quantity',
            field=models.PositiveIntegerField(default=0, help_text='Fulls delivered towards this line so far (all deliveries of the order).'),
        ),
        migrations.AlterField(
            model_name='order',
            name='delivered_at',
            field=models.DateTimeField(blank=True, help_text='When the last delivery towards it was recorded.', null=True),
        ),
        migrations.AlterField(
            model_name='order',
            name='delivery_id',
            field=models.BigIntegerField(blank=True, help_text='The last delivery towards it (the one that completed it, once DELIVERED).', null=True),
        ),
        migrations.AlterField(
            model_name='order',
            name='status',
            field=models.CharField(choices=[('PLANNED', 'Planned (no driver yet)'), ('ASSIGNED', 'Assigned to a driver'), ('PARTLY_DELIVERED', 'Partly delivered (some still to deliver)'), ('DELIVERED', 'Delivered'), ('CANCELLED', 'Cancelled')], db_index=True, default='PLANNED', max_length=16),
        ),
        migrations.AddConstraint(
            model_name='orderline',
            constraint=models.CheckConstraint(condition=models.Q(('delivered_quantity__gte', 0)), name='orderline_delivered_gte_0'),
        ),
        migrations.RunPython(delivered_orders_fully_delivered, migrations.RunPython.noop),
    ]
