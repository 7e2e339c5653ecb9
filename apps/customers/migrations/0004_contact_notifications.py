from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0003_contacts"),
    ]

    operations = [
        migrations.AddField(
            model_name="customercontact",
            name="notify_orders",
            field=models.BooleanField(
                default=True, help_text="E-mail this contact when an order is received, planned and delivered."
            ),
        ),
    ]
