"""Operating rules that the delivery flow consults."""

from datetime import datetime
from zoneinfo import ZoneInfo

from apps.core.exceptions import ApplicationError
from apps.customers.enums import CustomerKind
from apps.customers.rules import HOUSEHOLD_HOURS

SINGAPORE = ZoneInfo("Asia/Singapore")
HOUSEHOLD_HOURS_WARNING = "household_hours"


class HouseholdHoursUnacknowledged(ApplicationError):
    code = "household_hours_unacknowledged"
    status_code = 422
    default_detail = (
        "Household LPG deliveries are only made between 07:00 and 21:00 (fire safety). "
        'The driver must acknowledge the warning: send "acknowledged_warnings": ["household_hours"].'
    )


def household_hours_warning(customer, when: datetime) -> str | None:
    """The fire-safety warning for a household delivery outside 07:00-21:00
    Singapore time, or None. 21:00 itself is already outside."""
    if customer.kind != CustomerKind.HOUSEHOLD:
        return None
    local = when.astimezone(SINGAPORE).time()
    opens, closes = HOUSEHOLD_HOURS
    if opens <= local < closes:
        return None
    return (
        f"Household delivery at {local:%H:%M} Singapore time, outside 07:00-21:00: LPG cylinders may only be "
        "delivered to homes in these hours unless the customer asked and the driver confirms it is safe."
    )


def household_hours_check(customer, when: datetime, acknowledged: list | tuple | None) -> str | None:
    """For the delivery service: refuse (422) an unacknowledged out-of-hours
    household delivery; return the warning text to record when acknowledged."""
    warning = household_hours_warning(customer, when)
    if warning is None:
        return None
    if HOUSEHOLD_HOURS_WARNING not in (acknowledged or ()):
        raise HouseholdHoursUnacknowledged(extra={"warning": warning})
    return warning
