from django.db import models


class LocationKind(models.TextChoices):
    DEPOT = "DEPOT", "Depot"
    VEHICLE = "VEHICLE", "Vehicle"
    CUSTOMER = "CUSTOMER", "Customer site"
    PLANT = "PLANT", "Filling plant (virtual)"
    ADJUSTMENT = "ADJUSTMENT", "Adjustments (virtual)"
    WRITE_OFF = "WRITE_OFF", "Write-offs (virtual)"
    CONSUMPTION = "CONSUMPTION", "Gas consumed at customer sites (virtual)"


VIRTUAL_KINDS = frozenset(
    {LocationKind.PLANT, LocationKind.ADJUSTMENT, LocationKind.WRITE_OFF, LocationKind.CONSUMPTION}
)
REAL_KINDS = frozenset({LocationKind.DEPOT, LocationKind.VEHICLE, LocationKind.CUSTOMER})


class CylinderState(models.TextChoices):
    FULL = "FULL", "Full"
    EMPTY = "EMPTY", "Empty"


class MovementType(models.TextChoices):
    COLLECTION = "COLLECTION", "Collection (depot to vehicle, full)"
    EMPTY_RETURN = "EMPTY_RETURN", "Empty return (vehicle to depot)"
    FULL_RETURN = "FULL_RETURN", "Full return (vehicle to depot)"
    DELIVERY = "DELIVERY", "Delivery (vehicle to customer, full)"
    RETURN = "RETURN", "Return (customer to vehicle)"
    TRANSFER = "TRANSFER", "Transfer (depot to depot)"
    RECEIPT = "RECEIPT", "Receipt (filling plant to depot, full)"
    DUMP = "DUMP", "Dump (depot to filling plant, empty)"
    ADJUSTMENT = "ADJUSTMENT", "Adjustment"
    WRITE_OFF = "WRITE_OFF", "Write-off"
    CONSUMPTION = "CONSUMPTION", "Consumption (full to empty by use at a customer site)"


class StockDocumentKind(models.TextChoices):
    RECEIPT = "RECEIPT", "Receipt from filling plant"
    DUMP = "DUMP", "Empties sent to filling plant"
    TRANSFER = "TRANSFER", "Transfer between depots"
    ADJUSTMENT = "ADJUSTMENT", "Adjustment"
    WRITE_OFF = "WRITE_OFF", "Write-off"
    REVERSAL = "REVERSAL", "Reversal"
