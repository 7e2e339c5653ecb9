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
