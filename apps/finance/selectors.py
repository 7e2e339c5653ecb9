"""Finance reads: ageing, statements, the GST F5 summary, document registers.

Everything is computed from billing's documents by named fields (never the
whole row), so a field billing adds later changes nothing here. "As of" a
date means: invoices issued on or before it, payments received (Singapore
date) on or before it and credit notes issued on or before it; later
documents do not count. Money is summed by the database per invoice and kept
as Decimal; nothing is rounded here (every stored figure is already cents)."""

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import cast

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from apps.billing.models import CreditNote, CreditNoteLine, Invoice, InvoiceLine, Payment
from apps.core.permissions import role_of
from apps.core.roles import Role
from apps.customers.models import Customer
from apps.finance.backoff import retry_delay
from apps.finance.models import EmailLog

ZERO = Decimal("0.00")
BUCKETS = ("current", "1_30", "31_60", "61_90", "over_90")
# Who may read finance reports and exports (and the e-mail log).
FINANCE_READERS = (Role.ADMIN, Role.FINANCE, Role.AUDITOR)


def can_read_finance(user) -> bool:
    return role_of(user) in FINANCE_READERS


def day_start(day: date) -> datetime:
    """The first instant of a Singapore (TIME_ZONE) day, as an aware datetime."""
    return timezone.make_aware(datetime.combine(day, time.min))


def sg_date(moment: datetime) -> date:
    return timezone.localdate(moment)


def bucket_for(days_past_due: int) -> str:
    if days_past_due <= 0:
        return "current"
    if days_past_due <= 30:
        return "1_30"
    if days_past_due <= 60:
        return "31_60"
    if days_past_due <= 90:
        return "61_90"
    return "over_90"


def _cents(value) -> Decimal:
    """A money sum from the database, back to whole cents (SQLite's SUM over
    decimals is floating point: 0.10 + 0.20 is not 0.30 there)."""
    return Decimal(value or ZERO).quantize(Decimal("0.01"))


def _sums(qs, key: str, amount: str) -> dict[int, Decimal]:
    rows = qs.values(key).annotate(s=Sum(amount)).values(key, "s")
    return {row[key]: _cents(row["s"]) for row in rows}


# -- ageing ---------------------------------------------------------------------------


@dataclass
class OpenInvoice:
    id: int
    number: str
    customer_id: int
    customer_name: str
    issue_date: date
    due_date: date
    total: Decimal
    paid: Decimal
    credited: Decimal
    days_past_due: int

    @property
    def outstanding(self) -> Decimal:
        return self.total - self.paid - self.credited

    @property
    def bucket(self) -> str:
        return bucket_for(self.days_past_due)


@dataclass
class AgeingRow:
    customer_id: int
    customer_code: str
    customer_name: str
    buckets: dict[str, Decimal] = field(default_factory=lambda: dict.fromkeys(BUCKETS, ZERO))
    invoices: list[OpenInvoice] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return sum(self.buckets.values(), ZERO)


@dataclass
class Ageing:
    as_of: date
    customers: list[AgeingRow]
    totals: dict[str, Decimal]

    @property
    def total(self) -> Decimal:
        return sum(self.totals.values(), ZERO)

    @property
    def invoice_count(self) -> int:
        return sum(len(row.invoices) for row in self.customers)


def open_invoices(*, as_of: date, customer_id: int | None = None) -> list[OpenInvoice]:
    """Invoices with something outstanding as of the end of ``as_of``."""
    invoices = Invoice.objects.filter(issue_date__lte=as_of)
    payments = Payment.objects.filter(received_at__lt=day_start(as_of + timedelta(days=1)))
    credits = CreditNote.objects.filter(issue_date__lte=as_of)
    if customer_id is not None:
        invoices = invoices.filter(customer_id=customer_id)
        payments = payments.filter(invoice__customer_id=customer_id)
        credits = credits.filter(invoice__customer_id=customer_id)
    paid = _sums(payments, "invoice_id", "amount")
    credited = _sums(credits, "invoice_id", "total")
    found = []
    rows = invoices.order_by("customer_id", "issue_date", "id").values_list(
        "id", "number", "customer_id", "customer_name", "issue_date", "due_date", "total"
    )
    for pk, number, cust, name, issued, due, total in rows.iterator(chunk_size=2000):
        item = OpenInvoice(
            id=pk, number=number, customer_id=cust, customer_name=name, issue_date=issued, due_date=due,
            total=total, paid=paid.get(pk, ZERO), credited=credited.get(pk, ZERO),
            days_past_due=(as_of - due).days,
        )  # fmt: skip
        if item.outstanding > 0:
            found.append(item)
    return found


def ageing_report(*, as_of: date, customer_id: int | None = None) -> Ageing:
    """Outstanding per customer bucketed by days past due (due today = current)."""
    customers: dict[int, AgeingRow] = {}
    totals = dict.fromkeys(BUCKETS, ZERO)
    items = open_invoices(as_of=as_of, customer_id=customer_id)
    names = {
        pk: (code, name)
        for pk, code, name in Customer.objects.filter(pk__in={i.customer_id for i in items}).values_list(
            "pk", "code", "name"
        )
    }
    for item in items:
        code, name = names.get(item.customer_id, ("", item.customer_name))
        row = customers.setdefault(item.customer_id, AgeingRow(item.customer_id, code, name))
        row.buckets[item.bucket] += item.outstanding
        totals[item.bucket] += item.outstanding
        row.invoices.append(item)
    ordered = sorted(customers.values(), key=lambda r: (r.customer_code, r.customer_id))
    return Ageing(as_of=as_of, customers=ordered, totals=totals)


# -- statement of account ----------------------------------------------------------


@dataclass
class StatementEntry:
    date: date
    kind: str  # INVOICE | PAYMENT | CREDIT_NOTE
    reference: str
    description: str
    debit: Decimal
    credit: Decimal
    balance: Decimal = ZERO


@dataclass
class Statement:
    customer: Customer
    date_from: date
    date_to: date
    opening_balance: Decimal
    entries: list[StatementEntry]
    closing_balance: Decimal
    ageing: dict[str, Decimal]


_KIND_ORDER = {"INVOICE": 0, "CREDIT_NOTE": 1, "PAYMENT": 2}


def statement_build(*, customer: Customer, date_from: date, date_to: date) -> Statement:
    """Opening balance (everything before ``date_from``), every document of the
    period in date order with a running balance, closing balance, and the
    ageing of the closing balance as of ``date_to`` (which equals it)."""
    start, end = day_start(date_from), day_start(date_to + timedelta(days=1))
    invoices = Invoice.objects.filter(customer=customer)
    payments = Payment.objects.filter(invoice__customer=customer)
    credits = CreditNote.objects.filter(invoice__customer=customer)
    # summed in Decimal here: SQLite's SUM over decimals is floating point
    opening = (
        sum(invoices.filter(issue_date__lt=date_from).values_list("total", flat=True), ZERO)
        - sum(payments.filter(received_at__lt=start).values_list("amount", flat=True), ZERO)
        - sum(credits.filter(issue_date__lt=date_from).values_list("total", flat=True), ZERO)
    )
    entries = [
        StatementEntry(day, "INVOICE", number, f"Tax invoice, due {due:%d/%m/%Y}", total, ZERO)
        for number, day, due, total in invoices.filter(issue_date__gte=date_from, issue_date__lte=date_to)
        .order_by("issue_date", "id")
        .values_list("number", "issue_date", "due_date", "total")
    ]
    entries += [
        StatementEntry(
            sg_date(at), "PAYMENT", number, f"Payment ({method.replace('_', ' ').lower()}) {ref}".strip(), ZERO, amount
        )  # fmt: skip
        for number, at, method, ref, amount in payments.filter(received_at__gte=start, received_at__lt=end)
        .order_by("received_at", "id")
        .values_list("invoice__number", "received_at", "method", "reference", "amount")
    ]
    entries += [
        StatementEntry(day, "CREDIT_NOTE", number, f"Credit note for {inv}", ZERO, total)
        for number, inv, day, total in credits.filter(issue_date__gte=date_from, issue_date__lte=date_to)
        .order_by("issue_date", "id")
        .values_list("number", "invoice__number", "issue_date", "total")
    ]
    entries.sort(key=lambda e: (e.date, _KIND_ORDER[e.kind]))
    balance = opening
    for entry in entries:
        balance += entry.debit - entry.credit
        entry.balance = balance
    ageing = ageing_report(as_of=date_to, customer_id=customer.pk)
    return Statement(
        customer=customer, date_from=date_from, date_to=date_to, opening_balance=opening, entries=entries,
        closing_balance=balance, ageing=ageing.totals,
    )  # fmt: skip


# -- GST F5 ------------------------------------------------------------------------


@dataclass
class GstSummary:
    date_from: date
    date_to: date
    invoice_count: int
    credit_note_count: int
    invoices_subtotal: Decimal
    invoices_gst: Decimal
    credit_notes_subtotal: Decimal
    credit_notes_gst: Decimal
    by_rate: list[dict]

    @property
    def box1(self) -> Decimal:
        """Box 1: total value of standard-rated supplies (net of credit notes)."""
        return self.invoices_subtotal - self.credit_notes_subtotal

    @property
    def box6(self) -> Decimal:
        """Box 6: output tax due (net of credit notes)."""
        return self.invoices_gst - self.credit_notes_gst


def gst_summary(*, date_from: date, date_to: date) -> GstSummary:
    """Invoices by issue date, credit notes netted in the period they are issued."""
    inv = Invoice.objects.filter(issue_date__gte=date_from, issue_date__lte=date_to)
    cn = CreditNote.objects.filter(issue_date__gte=date_from, issue_date__lte=date_to)
    rates: dict[Decimal, dict] = defaultdict(lambda: {"invoices": 0, "credit_notes": 0, "subtotal": ZERO, "gst": ZERO})
    for rate, n, sub, gst in (
        inv.values("gst_rate")
        .annotate(n=Count("id"), s=Sum("subtotal"), g=Sum("gst_amount"))
        .values_list("gst_rate", "n", "s", "g")
    ):  # noqa: E501
        r = rates[rate]
        r["invoices"] += n
        r["subtotal"] += _cents(sub)
        r["gst"] += _cents(gst)
    for rate, n, sub, gst in (
        cn.values("gst_rate")
        .annotate(n=Count("id"), s=Sum("subtotal"), g=Sum("gst_amount"))
        .values_list("gst_rate", "n", "s", "g")
    ):  # noqa: E501
        r = rates[rate]
        r["credit_notes"] += n
        r["subtotal"] -= _cents(sub)
        r["gst"] -= _cents(gst)
    inv_tot = inv.aggregate(n=Count("id"), s=Sum("subtotal"), g=Sum("gst_amount"))
    cn_tot = cn.aggregate(n=Count("id"), s=Sum("subtotal"), g=Sum("gst_amount"))
    return GstSummary(
        date_from=date_from,
        date_to=date_to,
        invoice_count=inv_tot["n"],
        credit_note_count=cn_tot["n"],
        invoices_subtotal=_cents(inv_tot["s"]),
        invoices_gst=_cents(inv_tot["g"]),
        credit_notes_subtotal=_cents(cn_tot["s"]),
        credit_notes_gst=_cents(cn_tot["g"]),
        by_rate=[{"gst_rate": rate, **vals} for rate, vals in sorted(rates.items())],
    )


# -- registers ---------------------------------------------------------------------


def invoices_in_period(*, date_from: date, date_to: date, customer_id: int | None = None) -> QuerySet[Invoice]:
    qs = Invoice.objects.filter(issue_date__gte=date_from, issue_date__lte=date_to)
    if customer_id is not None:
        qs = qs.filter(customer_id=customer_id)
    return qs.order_by("issue_date", "number")


def credit_notes_in_period(*, date_from: date, date_to: date, customer_id: int | None = None) -> QuerySet[CreditNote]:
    qs = CreditNote.objects.filter(issue_date__gte=date_from, issue_date__lte=date_to)
    if customer_id is not None:
        qs = qs.filter(invoice__customer_id=customer_id)
    return qs.order_by("issue_date", "number")


def payments_in_period(*, date_from: date, date_to: date) -> QuerySet[Payment]:
    return Payment.objects.filter(
        received_at__gte=day_start(date_from), received_at__lt=day_start(date_to + timedelta(days=1))
    ).order_by("received_at", "id")


INVOICE_REGISTER_COLUMNS = [
    "number", "issue_date", "due_date", "customer_code", "customer_name", "customer_uen", "payment_terms",
    "payment_method", "currency", "subtotal", "gst_rate", "gst_amount", "total", "amount_paid",
    "amount_credited", "outstanding", "status",
]  # fmt: skip


def invoice_register_rows(*, date_from: date, date_to: date) -> Iterator[list]:
    qs = invoices_in_period(date_from=date_from, date_to=date_to).values_list(
        "number", "issue_date", "due_date", "customer__code", "customer_name", "customer_uen", "payment_terms",
        "payment_method", "currency", "subtotal", "gst_rate", "gst_amount", "total", "amount_paid",
        "amount_credited", "status",
    )  # fmt: skip
    for row in qs.iterator(chunk_size=2000):
        *head, paid, credited, status = row
        total = cast(Decimal, head[12])
        yield [*head, paid, credited, total - paid - credited, status]


PAYMENT_COLUMNS = [
    "payment_id", "received_date", "received_at", "invoice_number", "customer_code", "customer_name", "method",
    "reference", "amount",
]  # fmt: skip


def payment_rows(*, date_from: date, date_to: date) -> Iterator[list]:
    qs = payments_in_period(date_from=date_from, date_to=date_to).values_list(
        "id", "received_at", "invoice__number", "invoice__customer__code", "invoice__customer_name", "method",
        "reference", "amount",
    )  # fmt: skip
    for pk, at, number, code, name, method, ref, amount in qs.iterator(chunk_size=2000):
        local = timezone.localtime(at)
        yield [pk, local.date(), local.isoformat(), number, code, name, method, ref, amount]


CREDIT_NOTE_COLUMNS = [
    "number", "issue_date", "invoice_number", "customer_code", "customer_name", "reason", "subtotal", "gst_rate",
    "gst_amount", "total",
]  # fmt: skip


def credit_note_rows(*, date_from: date, date_to: date) -> Iterator[list]:
    qs = credit_notes_in_period(date_from=date_from, date_to=date_to).values_list(
        "number", "issue_date", "invoice__number", "invoice__customer__code", "invoice__customer_name", "reason",
        "subtotal", "gst_rate", "gst_amount", "total",
    )  # fmt: skip
    yield from (list(row) for row in qs.iterator(chunk_size=2000))


def invoice_lines_in_period(*, date_from: date, date_to: date) -> QuerySet[InvoiceLine]:
    return (
        InvoiceLine.objects.filter(invoice__issue_date__gte=date_from, invoice__issue_date__lte=date_to)
        .select_related("invoice", "invoice__customer", "cylinder_type", "service_item")
        .order_by("invoice__issue_date", "invoice__number", "position")
    )


def credit_note_lines_in_period(*, date_from: date, date_to: date) -> QuerySet[CreditNoteLine]:
    return (
        CreditNoteLine.objects.filter(credit_note__issue_date__gte=date_from, credit_note__issue_date__lte=date_to)
        .select_related("credit_note", "credit_note__invoice", "credit_note__invoice__customer", "invoice_line")
        .order_by("credit_note__issue_date", "credit_note__number", "id")
    )


# -- e-mail log --------------------------------------------------------------------


def email_log_list(*, user) -> QuerySet[EmailLog]:
    qs = EmailLog.objects.select_related("invoice", "customer").order_by("-id")
    return qs if can_read_finance(user) else qs.none()


def email_next_attempt_at(log: EmailLog):
    """When the back-off will try a QUEUED e-mail again after a failed attempt
    (the task's countdown: backoff.retry_delay); None when nothing is pending."""
    from apps.finance.enums import EmailStatus

    if log.status != EmailStatus.QUEUED or not log.attempts or not log.last_error or not log.last_attempt_at:
        return None
    return log.last_attempt_at + timedelta(seconds=retry_delay(log.attempts))


def overdue_q(today: date) -> Q:
    """Invoices past their due date with something still due (settlement now)."""
    from apps.billing.enums import InvoiceStatus

    return Q(due_date__lt=today) & Q(status__in=[InvoiceStatus.ISSUED, InvoiceStatus.PARTLY_PAID,
                                                 InvoiceStatus.PARTLY_CREDITED])  # fmt: skip
