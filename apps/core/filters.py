"""Filters safe for any input on every database."""

from datetime import UTC

import django_filters
from rest_framework.exceptions import ValidationError


class UTCIsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    """An ISO 8601 date-time compared in UTC. Python accepts offsets up to
    +-23:59, PostgreSQL only +-15:59 (a 500 otherwise); a value that leaves the
    datetime range once in UTC is a 400, not an OverflowError."""

    def filter(self, qs, value):
        if value:
            try:
                value = value.astimezone(UTC)
            except OverflowError:
                raise ValidationError({self.field_name: ["Date-time out of range."]}) from None
        return super().filter(qs, value)
