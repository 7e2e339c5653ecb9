# Sequence moved to apps.core (core 0002). State only: the table
# billing_sequence stays, with its rows; core.Sequence names it in db_table.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("billing", "0004_exact_cents_supply_date_tendered"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="Sequence")],
            database_operations=[],
        ),
    ]
