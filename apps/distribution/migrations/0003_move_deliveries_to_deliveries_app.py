# Delivery and DeliveryLine moved to apps.deliveries (deliveries 0001). State
# only: the tables distribution_delivery and distribution_deliveryline stay,
# with their rows; the new app's models name them in db_table.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("distribution", "0002_delivery_deliveryline"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="DeliveryLine"),
                migrations.DeleteModel(name="Delivery"),
            ],
            database_operations=[],
        ),
    ]
