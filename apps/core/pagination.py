from django.db.models import Q
from rest_framework.pagination import CursorPagination, PageNumberPagination


class StandardPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


class LedgerPagination(CursorPagination):
    """Append-only tables that grow without bound (the stock ledger): newest
    first, an opaque ``cursor`` for the next and previous pages and no
    ``count``, so a page costs the same at a thousand rows and at a million
    (page numbers need a COUNT(*) over the whole filtered table per page,
    and an OFFSET scan that grows with the page number). The id is the order:
    unique and increasing, so a row never shows twice or goes missing while
    new rows arrive between pages."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
    ordering = "-id"

    def paginate_queryset(self, queryset, request, view=None):
        branches = view.ledger_branches(request) if hasattr(view, "ledger_branches") else None
        if branches:
            queryset = _MergedBranches(queryset, branches)
        return super().paginate_queryset(queryset, request, view)


class _MergedBranches:
    """A queryset whose filter is an OR of ``branches`` (a location's moves
    out OR in), paged as the branches merged: each branch reads its first
    rows along its own ``(column, id)`` index and the two short lists are
    merged by id, instead of the database sorting every row of the OR (a
    third of the ledger for a truck). Only what the cursor pagination calls
    is offered: ``order_by``, ``filter`` and a slice."""

    def __init__(self, queryset, branches: list[Q]):
        self.queryset, self.branches = queryset, branches

    def __getattr__(self, name):
        return getattr(self.queryset, name)

    def order_by(self, *fields):
        return _MergedBranches(self.queryset.order_by(*fields), self.branches)

    def filter(self, *args, **kwargs):
        return _MergedBranches(self.queryset.filter(*args, **kwargs), self.branches)

    def __getitem__(self, window: slice):
        start, stop = window.start or 0, window.stop
        rows = {row.pk: row for branch in self.branches for row in self.queryset.filter(branch)[:stop]}
        (order,) = self.queryset.query.order_by
        merged = sorted(rows.values(), key=lambda row: row.pk, reverse=order.startswith("-"))
        return merged[start:stop]
