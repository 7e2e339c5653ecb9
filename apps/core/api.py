"""Shared API building blocks."""

from rest_framework import serializers, viewsets

MAX_ID = 2**63 - 1
ID_PATTERN = r"[0-9]{1,18}"


class SafeLookupMixin:
    """Only ids that fit the database column reach the query (no 500 on
    /api/x/99999999999999999999999/): anything else is a 404 by URL."""

    lookup_value_regex = ID_PATTERN


class ReadOnlyViewSet(SafeLookupMixin, viewsets.ReadOnlyModelViewSet):
    pass


class PKField(serializers.PrimaryKeyRelatedField):
    """A related id that never reaches the database as an out-of-range or
    non-integer value (the stock field lets those through to a 500 on some
    backends)."""

    default_error_messages = {
        **serializers.PrimaryKeyRelatedField.default_error_messages,
        "incorrect_type": "Incorrect type. Expected an integer id, received {data_type}.",
    }

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, (int, str)):
            self.fail("incorrect_type", data_type=type(data).__name__)
        if isinstance(data, str) and not data.isdigit():
            self.fail("incorrect_type", data_type="str")
        if not 0 < int(data) <= MAX_ID:
            self.fail("does_not_exist", pk_value=data)
        return super().to_internal_value(int(data))
