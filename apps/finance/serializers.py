from datetime import date, datetime

from django.conf import settings
from rest_framework import serializers

from apps.core.fields import BoundedDateField
from apps.finance.enums import AccountingKind, AccountingSystem, EmailStatus
from apps.finance.models import EmailLog
from apps.finance.selectors import BUCKETS, email_next_attempt_at

MAX_PERIOD_DAYS = 3660  # registers and reports: ten years at most


class PeriodInput(serializers.Serializer):
    """``from`` and ``to`` (inclusive, YYYY-MM-DD), both required, in order."""

    max_days = MAX_PERIOD_DAYS

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = BoundedDateField(input_formats=["iso-8601"])
        fields["to"] = BoundedDateField(input_formats=["iso-8601"])
        return fields

    def validate(self, attrs):
        start, end = attrs["from"], attrs["to"]
        if end < start:
            raise serializers.ValidationError({"to": ["Must be on or after 'from'."]})
        if (end - start).days + 1 > self.max_days:
            raise serializers.ValidationError({"to": [f"The period may be at most {self.max_days} days."]})
        return {"date_from": start, "date_to": end, **{k: v for k, v in attrs.items() if k not in ("from", "to")}}


class ZipInput(PeriodInput):
    max_days = settings.FINANCE_ZIP_MAX_DAYS
    customer = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1)


class AccountingInput(PeriodInput):
    system = serializers.ChoiceField(choices=AccountingSystem.choices)
    kind = serializers.ChoiceField(choices=AccountingKind.choices, required=False, default=AccountingKind.INVOICES)


class GstInput(PeriodInput):
    format = serializers.ChoiceField(choices=["json", "csv"], required=False, default="json")


class StatementInput(PeriodInput):
    format = serializers.ChoiceField(choices=["json", "pdf"], required=False)


class AgeingInput(serializers.Serializer):
    as_of = BoundedDateField(input_formats=["iso-8601"])
    customer = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1)


class EmailInput(serializers.Serializer):
    to = serializers.EmailField(required=False, allow_blank=True, max_length=254)


def money(value) -> str:
    return f"{value:.2f}"


def buckets(values: dict) -> dict:
    return {b: money(values[b]) for b in BUCKETS}


def ageing_json(ageing) -> dict:
    return {
        "as_of": ageing.as_of.isoformat(),
        "totals": {**buckets(ageing.totals), "total": money(ageing.total)},
        "customers": [
            {
                "customer": row.customer_id,
                "code": row.customer_code,
                "name": row.customer_name,
                **buckets(row.buckets),
                "total": money(row.total),
                "invoices": [
                    {
                        "id": i.id,
                        "number": i.number,
                        "issue_date": i.issue_date.isoformat(),
                        "due_date": i.due_date.isoformat(),
                        "total": money(i.total),
                        "outstanding": money(i.outstanding),
                        "days_past_due": i.days_past_due,
                        "bucket": i.bucket,
                    }
                    for i in row.invoices
                ],
            }
            for row in ageing.customers
        ],
    }


def statement_json(st) -> dict:
    return {
        "customer": {"id": st.customer.pk, "code": st.customer.code, "name": st.customer.name},
        "from": st.date_from.isoformat(),
        "to": st.date_to.isoformat(),
        "opening_balance": money(st.opening_balance),
        "entries": [
            {
                "date": e.date.isoformat(),
                "kind": e.kind,
                "reference": e.reference,
                "description": e.description,
                "debit": money(e.debit),
                "credit": money(e.credit),
                "balance": money(e.balance),
            }
            for e in st.entries
        ],
        "closing_balance": money(st.closing_balance),
        "ageing": buckets(st.ageing),
    }


def gst_json(s) -> dict:
    return {
        "from": s.date_from.isoformat(),
        "to": s.date_to.isoformat(),
        "box1_standard_rated_supplies": money(s.box1),
        "box6_output_tax": money(s.box6),
        "invoice_count": s.invoice_count,
        "credit_note_count": s.credit_note_count,
        "invoices": {"subtotal": money(s.invoices_subtotal), "gst": money(s.invoices_gst)},
        "credit_notes": {"subtotal": money(s.credit_notes_subtotal), "gst": money(s.credit_notes_gst)},
        "by_rate": [
            {
                "gst_rate": str(r["gst_rate"]),
                "invoices": r["invoices"],
                "credit_notes": r["credit_notes"],
                "net_supplies": money(r["subtotal"]),
                "output_tax": money(r["gst"]),
            }
            for r in s.by_rate
        ],
    }


# Schemas of the JSON reports. The *_json functions above build the bodies;
# these describe them for OpenAPI (and the PWA's generated types), and the
# schema contract test holds the two together. Keys that are not Python names
# ("from", "1_30") are added in get_fields.


def _money(**kwargs):
    return serializers.DecimalField(max_digits=14, decimal_places=2, **kwargs)


class _BucketsOutput(serializers.Serializer):
    def get_fields(self):
        fields = super().get_fields()
        return {**{b: _money() for b in BUCKETS}, **fields}


class _PeriodOutput(serializers.Serializer):
    def get_fields(self):
        fields = super().get_fields()
        return {"from": serializers.DateField(), "to": serializers.DateField(), **fields}


class AgeingBucketsOutput(_BucketsOutput):
    pass


class AgeingTotalsOutput(_BucketsOutput):
    total = _money()


class AgeingInvoiceOutput(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    issue_date = serializers.DateField()
    due_date = serializers.DateField()
    total = _money()
    outstanding = _money()
    days_past_due = serializers.IntegerField()
    bucket = serializers.ChoiceField(choices=[(b, b) for b in BUCKETS])


class AgeingCustomerOutput(serializers.Serializer):
    def get_fields(self):
        fields = super().get_fields()
        head = {k: fields.pop(k) for k in ("customer", "code", "name")}
        return {**head, **{b: _money() for b in BUCKETS}, **fields}

    customer = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    total = _money()
    invoices = AgeingInvoiceOutput(many=True)


class AgeingOutput(serializers.Serializer):
    as_of = serializers.DateField()
    totals = AgeingTotalsOutput()
    customers = AgeingCustomerOutput(many=True)


class StatementCustomerOutput(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()


class StatementEntryOutput(serializers.Serializer):
    date = serializers.DateField()
    kind = serializers.ChoiceField(choices=[(k, k) for k in ("INVOICE", "PAYMENT", "CREDIT_NOTE")])
    reference = serializers.CharField()
    description = serializers.CharField(allow_blank=True)
    debit = _money()
    credit = _money()
    balance = _money()


class StatementOutput(serializers.Serializer):
    def get_fields(self):
        fields = super().get_fields()
        customer = fields.pop("customer")
        return {"customer": customer, "from": serializers.DateField(), "to": serializers.DateField(), **fields}

    customer = StatementCustomerOutput()
    opening_balance = _money()
    entries = StatementEntryOutput(many=True)
    closing_balance = _money()
    ageing = AgeingBucketsOutput()


class GstAmountsOutput(serializers.Serializer):
    subtotal = _money()
    gst = _money()


class GstRateOutput(serializers.Serializer):
    gst_rate = serializers.DecimalField(max_digits=6, decimal_places=4)
    invoices = serializers.IntegerField()
    credit_notes = serializers.IntegerField()
    net_supplies = _money()
    output_tax = _money()


class GstSummaryOutput(_PeriodOutput):
    box1_standard_rated_supplies = _money()
    box6_output_tax = _money()
    invoice_count = serializers.IntegerField()
    credit_note_count = serializers.IntegerField()
    invoices = GstAmountsOutput()
    credit_notes = GstAmountsOutput()
    by_rate = GstRateOutput(many=True)


class EmailLogSerializer(serializers.ModelSerializer):
    invoice_number = serializers.CharField(source="invoice.number", default=None, read_only=True)
    status = serializers.ChoiceField(choices=EmailStatus.choices, read_only=True)
    next_attempt_at = serializers.SerializerMethodField()

    class Meta:
        model = EmailLog
        fields = [
            "id", "kind", "invoice", "invoice_number", "customer", "period_from", "period_to", "to_address",
            "subject", "status", "attempts", "last_error", "queued_at", "last_attempt_at", "next_attempt_at",
            "sent_at", "failed_at",
        ]  # fmt: skip
        read_only_fields = fields

    def get_next_attempt_at(self, log) -> datetime | None:
        """The retry's time after a failed attempt (exponential back-off), else null."""
        return email_next_attempt_at(log)


def parse_date(value: str) -> date:
    return date.fromisoformat(value)
