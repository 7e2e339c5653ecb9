"""Row helpers for the 58 mm ESC/POS receipts (python-escpos ``Dummy``
printer), shared by every receipt: the distribution handover
(apps/distribution/receipts.py) and the driver's day-end summary
(apps/orders/receipts.py)."""

WIDTH = 32  # characters on a 58 mm printer


def row(left: str, right: str) -> str:
    """``left`` and ``right`` on one line of WIDTH characters, ``left`` cut short if need be."""
    space = max(1, WIDTH - len(left) - len(right))
    return f"{left[: WIDTH - len(right) - 1]}{' ' * space}{right}\n"


def rule() -> str:
    """A full-width dashed line."""
    return "-" * WIDTH + "\n"
