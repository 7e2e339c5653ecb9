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
        rows = self._line_rows()
        if rows is None:
            return super().to_internal_value(int(data))
        found = rows.get(int(data))
        if found is None:
            self.fail("does_not_exist", pk_value=data)
        return found

    def _line_rows(self) -> dict | None:
        """For a field of the lines of a list (``lines[i].cylinder_type``): the
        rows of every id the request's lines give for this field, read with
        one ``in_bulk`` on first use and kept on the root serializer for the
        rest of the request, instead of one query per line. None elsewhere."""
        child = self.parent
        listed = getattr(child, "parent", None)
        root = self.root
        if not isinstance(listed, serializers.ListSerializer) or listed.parent is not root:
            return None
        sent = getattr(root, "initial_data", None)
        lines = sent.get(listed.field_name) if isinstance(sent, dict) else None
        if not isinstance(lines, list):
            return None
        cache = root.__dict__.setdefault("_line_rows", {})
        key = (listed.field_name, self.field_name)
        if key not in cache:
            ids = set()
            for line in lines:
                value = line.get(self.field_name) if isinstance(line, dict) else None
                if isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_ID:
                    ids.add(value)
                elif isinstance(value, str) and value.isdigit() and 0 < int(value) <= MAX_ID:
                    ids.add(int(value))
            queryset = self.get_queryset()
            if queryset is None:
                return None
            cache[key] = queryset.in_bulk(ids)
        return cache[key]
