from django.db import models

from apps.inventory.enums import MovementType


class DistributionStatus(models.TextChoices):
    CONFIRMED = "confirmed", "Confirmed"
    REVERSED = "reversed", "Reversed"


DISTRIBUTION_MOVEMENTS = (MovementType.COLLECTION, MovementType.EMPTY_RETURN, MovementType.FULL_RETURN)


class DistributionMovement(models.TextChoices):
    COLLECTION = MovementType.COLLECTION.value, MovementType.COLLECTION.label
    EMPTY_RETURN = MovementType.EMPTY_RETURN.value, MovementType.EMPTY_RETURN.label
    FULL_RETURN = MovementType.FULL_RETURN.value, MovementType.FULL_RETURN.label
