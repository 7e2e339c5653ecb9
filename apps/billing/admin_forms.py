"""Admin forms for finance: a payment against an invoice, a credit note (the
whole remainder or chosen quantities of its lines). Both are saved by the
billing services; amounts are Decimal to the cent."""

from decimal import Decimal

from django import forms

from apps.billing.enums import InvoiceLineKind, PaymentMethod
from apps.core.admin_forms import IdempotentForm


class PaymentAdminForm(IdempotentForm):
    amount = forms.DecimalField(max_digits=12, decimal_places=2, min_value=Decimal("0.01"), label="Amount (SGD)")
    method = forms.ChoiceField(choices=PaymentMethod.choices)
    reference = forms.CharField(max_length=64, required=False, help_text="Cheque number, PayNow or bank reference")
    received_at = forms.DateTimeField(
        required=False,
        help_text="When the money came in (empty: now)",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )

    def canonical(self, invoice) -> dict:
        d = self.cleaned_data
        return {
            "invoice": invoice.pk,
            "amount": str(d["amount"]),
            "method": d["method"],
            "reference": d.get("reference") or "",
            "received_at": d["received_at"].isoformat() if d.get("received_at") else None,
        }


class CreditNoteAdminForm(IdempotentForm):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), max_length=1000)
    whole = forms.BooleanField(
        required=False,
        label="Credit everything still due",
        help_text="Or leave unticked and enter the quantities to credit per line below",
    )

    def __init__(self, *args, invoice, **kwargs):
        super().__init__(*args, **kwargs)
        # deposits are refunded by returning cylinders, never by a credit note typed here
        self.invoice_lines = list(invoice.lines.exclude(kind=InvoiceLineKind.DEPOSIT).order_by("position"))
        for line in self.invoice_lines:
            self.fields[f"qty_{line.pk}"] = forms.DecimalField(
                required=False,
                max_digits=14,
                decimal_places=3,
                min_value=Decimal("0.001"),
                label=f"{line.description} ({line.quantity} x {line.unit_price})",
            )
        self.line_fields: list[str] = []

    def lines(self) -> list[dict] | None:
        if self.cleaned_data.get("whole"):
            return None
        out, self.line_fields = [], []
        for line in self.invoice_lines:
            qty = self.cleaned_data.get(f"qty_{line.pk}")
            if qty:
                out.append({"invoice_line": line, "quantity": qty})
                self.line_fields.append(f"qty_{line.pk}")
        return out

    def clean(self):
        data = super().clean()
        if not self.errors and not data.get("whole") and not self.lines():
            self.add_error("whole", "Tick this, or enter a quantity to credit on at least one line.")
        return data

    def field_for(self, path: tuple) -> str | None:
        if len(path) == 3 and path[0] == "lines" and isinstance(path[1], int) and path[1] < len(self.line_fields):
            return self.line_fields[path[1]]
        return None

    def canonical(self, invoice) -> dict:
        lines = self.lines()
        if lines is not None:
            lines = [{"invoice_line": x["invoice_line"].pk, "quantity": str(x["quantity"])} for x in lines]
        return {"invoice": invoice.pk, "reason": self.cleaned_data["reason"], "lines": lines}
