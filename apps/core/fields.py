"""Serializer fields safe for any input on every database.

Python's date and datetime stop at years 1 and 9999; a day boundary or a
time-zone conversion one step beyond raises OverflowError (a 500), and the
databases disagree about what they store there. Business dates are bounded
(settings.DATE_MIN / DATE_MAX, 1900-01-01 to 2999-12-31 by default): outside,
a 400 on the field."""

from datetime import UTC, date, datetime

from django.conf import settings
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers


def date_bounds() -> tuple[date, date]:
    return (
        getattr(settings, "DATE_MIN", date(1900, 1, 1)),
        getattr(settings, "DATE_MAX", date(2999, 12, 31)),
    )


def check_date_in_range(value: date) -> date:
    """``value`` when inside the business date range, else a ValidationError."""
    low, high = date_bounds()
    if not low <= value <= high:
        raise serializers.ValidationError(f"Date out of range: use a date between {low} and {high}.")
    return value


class BoundedDateField(serializers.DateField):
    def to_internal_value(self, value):
        return check_date_in_range(super().to_internal_value(value))


class BoundedDateTimeField(serializers.DateTimeField):
    """A date-time whose instant, in UTC and in local time, stays inside the range
    (offsets up to +-23:59 are valid ISO 8601 but push year 1 or 9999 over the edge)."""

    def to_internal_value(self, value):
        # DRF converts to the current time zone and may itself overflow.
        try:
            parsed = super().to_internal_value(value)
        except OverflowError:
            self.fail("invalid", format="ISO 8601 inside the years 1900-2999")
        try:
            instant = parsed.astimezone(UTC) if isinstance(parsed, datetime) and parsed.tzinfo else parsed
        except OverflowError:
            raise serializers.ValidationError("Date-time out of range.") from None
        check_date_in_range(parsed.date())
        check_date_in_range(instant.date())
        return parsed


@extend_schema_field({"type": "string", "pattern": r"^([01]\d|2[0-3]):[0-5]\d$", "example": "07:00"})
class HourMinuteField(serializers.TimeField):
    """A time of day as "HH:MM" (Singapore time), in and out, and so in the schema."""

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", input_formats=["%H:%M"], **kwargs)
