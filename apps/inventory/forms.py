from django import forms

from apps.depots.models import CylinderType, Depot
from apps.inventory.enums import CylinderState, StockDocumentKind
from apps.inventory.models import Location

LINES = 4


class StockDocumentForm(forms.Form):
    """Admin form for a stock document; saving calls stock_document_create, so
    the admin can only change stock through ledger documents."""

    kind = forms.ChoiceField(choices=[c for c in StockDocumentKind.choices if c[0] != StockDocumentKind.REVERSAL])
    depot = forms.ModelChoiceField(
        Depot.objects.filter(is_active=True), required=False, help_text="Receipt, dump, transfer (from)"
    )
    to_depot = forms.ModelChoiceField(Depot.objects.filter(is_active=True), required=False, help_text="Transfer (to)")
    location = forms.ModelChoiceField(
        Location.objects.filter(is_virtual=False),
        required=False,
        help_text="Adjustment or write-off: depot, vehicle or customer",
    )
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, help_text="Required for adjustments and write-offs"
    )
    reference = forms.CharField(max_length=64, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for i in range(LINES):
            self.fields[f"type_{i}"] = forms.ModelChoiceField(
                CylinderType.objects.filter(is_active=True), required=False, label=f"Line {i + 1} type"
            )
            self.fields[f"state_{i}"] = forms.ChoiceField(
                choices=[("", "default")] + list(CylinderState.choices), required=False, label="state"
            )
            self.fields[f"qty_{i}"] = forms.IntegerField(
                required=False, label="quantity", help_text="signed for adjustments"
            )

    def lines(self) -> list[dict]:
        out = []
        for i in range(LINES):
            ct, qty = self.cleaned_data.get(f"type_{i}"), self.cleaned_data.get(f"qty_{i}")
            if ct and qty:
                out.append({"cylinder_type": ct, "state": self.cleaned_data.get(f"state_{i}") or None, "quantity": qty})
        return out

    def clean(self):
        data = super().clean()
        if not self.lines():
            raise forms.ValidationError("Enter at least one line with a type and a quantity.")
        return data
