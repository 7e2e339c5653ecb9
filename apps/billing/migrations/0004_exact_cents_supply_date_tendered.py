"""Money checks on whole cents (exact on SQLite too), the invoice's supply date
next to its issue date, and the cash tendered on a door payment."""

import django.db.models.expressions
import django.db.models.functions.math
import django.db.models.lookups
from django.conf import settings
from django.db import migrations, models


def supply_date_from_issue_date(apps, schema_editor):
    """Invoices issued before the two dates were told apart were dated on the
    delivery's date: that date is their supply date."""
    Invoice = apps.get_model("billing", "Invoice")
    Invoice.objects.filter(supply_date__isnull=True).update(supply_date=models.F("issue_date"))


class Migration(migrations.Migration):
    dependencies = [
        ("billing", "0003_gst_rates_and_service_items"),
        ("customers", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="creditnote",
            name="creditnote_total_adds_up",
        ),
        migrations.RemoveConstraint(
            model_name="invoice",
            name="invoice_total_adds_up",
        ),
        migrations.RemoveConstraint(
            model_name="invoice",
            name="invoice_not_oversettled",
        ),
        migrations.AddField(
            model_name="invoice",
            name="supply_date",
            field=models.DateField(
                db_index=True,
                help_text="Date of supply: the delivery's date (device time); picks the GST rate.",
                null=True,
            ),
        ),
        migrations.RunPython(supply_date_from_issue_date, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="invoice",
            name="supply_date",
            field=models.DateField(
                db_index=True, help_text="Date of supply: the delivery's date (device time); picks the GST rate."
            ),
        ),
        migrations.AddField(
            model_name="payment",
            name="amount_tendered",
            field=models.DecimalField(
                blank=True,
                decimal_places=2,
                help_text="Cash handed over at the door (the change is tendered - amount).",
                max_digits=12,
                null=True,
            ),
        ),
        migrations.AlterField(
            model_name="invoice",
            name="issue_date",
            field=models.DateField(
                db_index=True, help_text="Server's Singapore date when the number was taken (numbers rise with it)."
            ),
        ),
        migrations.AddConstraint(
            model_name="creditnote",
            constraint=models.CheckConstraint(
                condition=django.db.models.lookups.Exact(
                    django.db.models.functions.math.Round(
                        django.db.models.expressions.CombinedExpression(models.F("total"), "*", models.Value(100))
                    ),
                    django.db.models.expressions.CombinedExpression(
                        django.db.models.functions.math.Round(
                            django.db.models.expressions.CombinedExpression(
                                models.F("subtotal"), "*", models.Value(100)
                            )
                        ),
                        "+",
                        django.db.models.functions.math.Round(
                            django.db.models.expressions.CombinedExpression(
                                models.F("gst_amount"), "*", models.Value(100)
                            )
                        ),
                    ),
                ),
                name="creditnote_total_adds_up_cents",
            ),
        ),
        migrations.AddConstraint(
            model_name="invoice",
            constraint=models.CheckConstraint(
                condition=django.db.models.lookups.Exact(
                    django.db.models.functions.math.Round(
                        django.db.models.expressions.CombinedExpression(models.F("total"), "*", models.Value(100))
                    ),
                    django.db.models.expressions.CombinedExpression(
                        django.db.models.functions.math.Round(
                            django.db.models.expressions.CombinedExpression(
                                models.F("subtotal"), "*", models.Value(100)
                            )
                        ),
                        "+",
                        django.db.models.functions.math.Round(
                            django.db.models.expressions.CombinedExpression(
                                models.F("gst_amount"), "*", models.Value(100)
                            )
                        ),
                    ),
                ),
                name="invoice_total_adds_up_cents",
            ),
        ),
        migrations.AddConstraint(
            model_name="invoice",
            constraint=models.CheckConstraint(
                condition=django.db.models.lookups.GreaterThanOrEqual(
                    django.db.models.functions.math.Round(
                        django.db.models.expressions.CombinedExpression(models.F("total"), "*", models.Value(100))
                    ),
                    django.db.models.expressions.CombinedExpression(
                        django.db.models.functions.math.Round(
                            django.db.models.expressions.CombinedExpression(
                                models.F("amount_paid"), "*", models.Value(100)
                            )
                        ),
                        "+",
                        django.db.models.functions.math.Round(
                            django.db.models.expressions.CombinedExpression(
                                models.F("amount_credited"), "*", models.Value(100)
                            )
                        ),
                    ),
                ),
                name="invoice_not_oversettled_cents",
            ),
        ),
        migrations.AddConstraint(
            model_name="payment",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("amount_tendered__isnull", True),
                    django.db.models.lookups.GreaterThanOrEqual(
                        django.db.models.functions.math.Round(
                            django.db.models.expressions.CombinedExpression(
                                models.F("amount_tendered"), "*", models.Value(100)
                            )
                        ),
                        django.db.models.functions.math.Round(
                            django.db.models.expressions.CombinedExpression(models.F("amount"), "*", models.Value(100))
                        ),
                    ),
                    _connector="OR",
                ),
                name="payment_tendered_covers_amount_cents",
            ),
        ),
    ]
