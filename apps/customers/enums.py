from datetime import time

from django.db import models

# Households receive LPG only between these (fire safety): the delivery flow
# warns outside them, and orders and the dispatch planner keep inside them.
HOUSEHOLD_HOURS = (time(7, 0), time(21, 0))


class PaymentTerms(models.TextChoices):
    CASH = "CASH", "Cash (pay at site)"
    CREDIT = "CREDIT", "Credit account"


class CustomerKind(models.TextChoices):
    HOUSEHOLD = "HOUSEHOLD", "Household"
    COMMERCIAL = "COMMERCIAL", "Commercial (F&B, industrial)"
