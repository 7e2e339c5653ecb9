"""When a customer may receive gas: the household hours (fire safety) and the
customer's own receiving hours. Orders (windows), the delivery flow (the
out-of-hours warning) and the customers' own master data all check against
these, so the hours live here, below all of them."""

from datetime import time

from apps.customers.enums import CustomerKind

HOUSEHOLD_HOURS = (time(7, 0), time(21, 0))


def _hhmm(value: time) -> str:
    return value.strftime("%H:%M")


def hours_errors(
    *, kind: str, start: time | None, end: time | None, start_field: str, end_field: str
) -> dict[str, list[str]]:
    """The problems of a delivery window or of receiving hours, per field
    (empty: fine). An end must come after its start; a household's hours and
    windows lie inside 07:00-21:00 (an empty end means "until the household
    hours close", so 21:00 itself is allowed as an end)."""
    errors: dict[str, list[str]] = {}
    if start is not None and end is not None and end <= start:
        errors.setdefault(end_field, []).append(f"Must be after {_hhmm(start)}.")
    if kind == CustomerKind.HOUSEHOLD:
        opens, closes = HOUSEHOLD_HOURS
        span = f"{_hhmm(opens)}-{_hhmm(closes)}"
        if start is not None and not (opens <= start < closes):
            errors.setdefault(start_field, []).append(f"Households receive gas only between {span}.")
        if end is not None and not (opens < end <= closes):
            errors.setdefault(end_field, []).append(f"Households receive gas only between {span}.")
    return errors
