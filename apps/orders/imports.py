"""A day's orders from a CSV file: reading and checking every row.

Nothing here writes: ``apps.orders.services.orders_import`` calls
``import_check`` and creates the orders only when no row has a problem.

The file: UTF-8 (a byte-order mark is allowed), a header row naming the
columns, then one row per (order, cylinder type)::

    customer_code,cylinder_sku,quantity,window_start,window_end,urgent,notes
    C00012,LPG-12.7,3,08:00,12:00,yes,Back door
    C00012,LPG-50,1,08:00,12:00,,

``customer_code``, ``cylinder_sku`` and ``quantity`` are required columns;
the others may be left out. Rows of one customer with the same window form
one order with several lines (urgent when any of its rows is; their notes
joined). Rows are numbered as a spreadsheet shows them: the header is row 1,
the first order row is row 2; ``row`` None is about the file as a whole."""

import csv
import hashlib
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import time
from typing import Any

from apps.core.exceptions import ValidationFailed
from apps.customers.models import Customer
from apps.customers.rules import hours_errors
from apps.depots.models import CylinderType
from apps.orders.models import Order

COLUMNS = ("customer_code", "cylinder_sku", "quantity", "window_start", "window_end", "urgent", "notes")
REQUIRED = ("customer_code", "cylinder_sku", "quantity")
MAX_ROWS = 2000
MAX_BYTES = 1_000_000
MAX_QUANTITY = 10000
MAX_NOTES = 2000
YES = {"1", "y", "yes", "true", "x"}
NO = {"", "0", "n", "no", "false"}
_TIME = re.compile(r"(\d{1,2}):(\d{2})")
_COUNT = re.compile(r"\d+")


@dataclass(frozen=True, order=True)
class RowError:
    row: int | None
    column: str | None
    message: str

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "message": self.message}


class ImportInvalid(ValidationFailed):
    """400 ``import_invalid``: ``fields = {"rows": [{"row", "column", "message"}, ...]}``,
    every problem of the file; nothing was imported."""

    code = "import_invalid"

    def __init__(self, errors: Iterable[RowError]):
        self.errors = sorted(errors, key=lambda e: (e.row or 0, e.column or "", e.message))
        n = len(self.errors)
        super().__init__(
            {"rows": [e.as_dict() for e in self.errors]},
            detail=f"{n} problem{'s' if n != 1 else ''} in the file; nothing was imported.",
        )


@dataclass
class OrderDraft:
    """One order to create: its customer, window and lines (rows of the file)."""

    customer: Customer
    window_start: time | None
    window_end: time | None
    urgent: bool = False
    notes: list[str] = field(default_factory=list)
    lines: list[dict] = field(default_factory=list)
    rows: list[int] = field(default_factory=list)


@dataclass
class OrdersCreated:
    orders: list[Order]

    @property
    def created(self) -> int:
        return len(self.orders)

    @property
    def order_ids(self) -> list[int]:
        return [o.pk for o in self.orders]


@dataclass
class ImportResult(OrdersCreated):
    sha256: str = ""
    rows: int = 0


def csv_text(data: bytes) -> str:
    """The uploaded file as text; a file that is not UTF-8 is refused whole."""
    if len(data) > MAX_BYTES:
        raise ImportInvalid([RowError(None, None, f"The file is larger than {MAX_BYTES // 1_000_000} MB.")])
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportInvalid(
            [RowError(None, None, f"The file is not UTF-8 text (byte {exc.start + 1}); save it as CSV UTF-8.")]
        ) from None


def file_sha256(source: str | Sequence[Mapping[str, Any]]) -> str:
    if isinstance(source, str):
        return hashlib.sha256(source.encode("utf-8", "surrogatepass")).hexdigest()
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=COLUMNS, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(source)
    return hashlib.sha256(text.getvalue().encode("utf-8", "surrogatepass")).hexdigest()


def _header_errors(names: list[str]) -> list[RowError]:
    errors = []
    for name in REQUIRED:
        if name not in names:
            errors.append(RowError(1, name, f"The header lacks the column {name!r}."))
    for name in sorted({n for n in names if n not in COLUMNS}):
        shown = name or "(empty)"
        errors.append(RowError(1, name or None, f"Unknown column {shown!r}; the columns are {', '.join(COLUMNS)}."))
    for name in sorted({n for n in names if n and names.count(n) > 1}):
        errors.append(RowError(1, name, f"The column {name!r} appears more than once."))
    return errors


def read_rows(source: str | Sequence[Mapping[str, Any]]) -> tuple[list[tuple[int, dict]], list[RowError]]:
    """The rows as ``(row number, {column: text})`` and the problems of the
    file's shape (encoding, header, size). Blank rows are skipped."""
    if not isinstance(source, str):
        records = [{str(k).strip().lower(): "" if v is None else str(v) for k, v in r.items()} for r in source]
        errors = _header_errors(sorted({k for r in records for k in r}))
        if errors:
            return [], errors
        given = [(n, r) for n, r in enumerate(records, start=2) if any(v.strip() for v in r.values())]
        if len(given) > MAX_ROWS:
            return [], [RowError(None, None, f"The file has {len(given)} rows; at most {MAX_ROWS:,} at a time.")]
        return given, errors
    if len(source.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        return [], [RowError(None, None, f"The file is larger than {MAX_BYTES // 1_000_000} MB.")]
    if "\x00" in source:
        return [], [RowError(None, None, "The file holds NUL characters: it is not a CSV text file.")]
    reader = csv.reader(io.StringIO(source.removeprefix("\ufeff"), newline=""))
    rows: list[tuple[int, dict]] = []
    try:
        header = next(reader, None)
        if header is None or not any(h.strip() for h in header):
            return [], [RowError(1, None, f"The file has no header row; the columns are {', '.join(COLUMNS)}.")]
        names = [h.strip().lower() for h in header]
        errors = _header_errors(names)
        if errors:  # the rows cannot be read against a wrong header
            return [], errors
        for n, record in enumerate(reader, start=2):
            if not any(cell.strip() for cell in record):
                continue
            if len(rows) >= MAX_ROWS:
                return [], [RowError(None, None, f"The file has more than {MAX_ROWS:,} rows; split it.")]
            if len(record) > len(names):
                errors.append(RowError(n, None, f"{len(record)} cells, but the header names {len(names)} columns."))
                continue
            rows.append((n, {name: (record[i] if i < len(record) else "") for i, name in enumerate(names)}))
    except csv.Error as exc:
        return [], [RowError(reader.line_num or None, None, f"Not a readable CSV file: {exc}.")]
    return rows, errors


def _time(value: str) -> time:
    match = _TIME.fullmatch(value)
    if not match or int(match.group(1)) > 23 or int(match.group(2)) > 59:
        raise ValueError("Not a time of day: write HH:MM, e.g. 08:30.")
    return time(int(match.group(1)), int(match.group(2)))


def import_check(source: str | Sequence[Mapping[str, Any]]) -> tuple[list[OrderDraft], list[RowError]]:
    """Every row checked; the orders the file makes (in the order of their
    first row) and every problem found. A file with any problem makes none."""
    rows, errors = read_rows(source)
    if errors and not rows:  # the file's shape (encoding, header, size): no row was read
        return [], errors
    if not rows:
        errors.append(RowError(None, None, "The file holds no orders."))
    codes = {r.get("customer_code", "").strip() for _, r in rows}
    skus = {r.get("cylinder_sku", "").strip() for _, r in rows}
    customers = {c.code: c for c in Customer.objects.filter(code__in=codes - {""})}
    types = {t.sku: t for t in CylinderType.objects.filter(sku__in=skus - {""})}
    drafts: dict[tuple, OrderDraft] = {}
    seen: dict[tuple, int] = {}  # (order key, sku) -> the row that named it first
    for n, row in rows:

        def fail(column: str | None, message: str, n: int = n) -> None:
            errors.append(RowError(n, column, message))

        code, sku = row.get("customer_code", "").strip(), row.get("cylinder_sku", "").strip()
        customer = customers.get(code)
        if not code:
            fail("customer_code", "Required.")
        elif customer is None:
            fail("customer_code", f"No customer with the code {code!r}.")
        elif not customer.is_active:
            fail("customer_code", f"The customer {code!r} is inactive.")
        cylinder_type = types.get(sku)
        if not sku:
            fail("cylinder_sku", "Required.")
        elif cylinder_type is None:
            fail("cylinder_sku", f"No cylinder type with the SKU {sku!r}.")
        elif not cylinder_type.is_active:
            fail("cylinder_sku", f"The cylinder type {sku!r} is no longer sold.")
        raw_qty = row.get("quantity", "").strip()
        quantity = int(raw_qty) if _COUNT.fullmatch(raw_qty) else None
        if quantity is None or not 1 <= quantity <= MAX_QUANTITY:
            fail("quantity", f"Must be a whole number of cylinders from 1 to {MAX_QUANTITY:,}.")
        window: dict[str, time | None] = {}
        for column in ("window_start", "window_end"):
            raw = row.get(column, "").strip()
            try:
                window[column] = _time(raw) if raw else None
            except ValueError as exc:
                fail(column, str(exc))
        urgent = row.get("urgent", "").strip().lower()
        if urgent not in YES | NO:
            fail("urgent", "Write yes or no (or leave it empty).")
        notes = row.get("notes", "").strip()
        if len(notes) > MAX_NOTES:
            fail("notes", f"At most {MAX_NOTES:,} characters.")
        if len(window) == 2:
            kind = customer.kind if customer is not None else ""
            problems = hours_errors(
                kind=kind,
                start=window["window_start"],
                end=window["window_end"],
                start_field="window_start",
                end_field="window_end",
            )
            for column, messages in problems.items():
                for message in messages:
                    fail(column, message)
        key = (
            code,
            window.get("window_start", row.get("window_start")),
            window.get("window_end", row.get("window_end")),
        )
        first = seen.setdefault((key, sku), n)
        if first != n and sku:
            fail("cylinder_sku", f"{sku!r} is already on this order (row {first}): one row per cylinder type.")
        if customer is None or cylinder_type is None or quantity is None:
            continue
        draft = drafts.setdefault(
            key,
            OrderDraft(customer=customer, window_start=window.get("window_start"), window_end=window.get("window_end")),
        )
        draft.lines.append({"cylinder_type": cylinder_type, "quantity": quantity})
        draft.rows.append(n)
        draft.urgent = draft.urgent or urgent in YES
        if notes and notes not in draft.notes:
            draft.notes.append(notes)
    return list(drafts.values()), errors
