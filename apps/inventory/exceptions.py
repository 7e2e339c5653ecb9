from apps.core.exceptions import ApplicationError


class InsufficientStock(ApplicationError):
    """Raised once for a whole document, listing every short line."""

    code = "insufficient_stock"
    status_code = 409

    def __init__(self, shortages: list[dict]):
        parts = [
            f"{s['location_name']}: {s['cylinder_type_name']} {s['state'].lower()} "
            f"available {s['available']}, requested {s['requested']}"
            for s in shortages
        ]
        super().__init__("Not enough stock. " + "; ".join(parts) + ".", extra={"shortages": shortages})
        self.shortages = shortages
