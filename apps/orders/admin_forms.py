"""Admin forms for the dispatch desk: order entry and assignment, route
planning and reordering. The services (apps.orders.services) check again."""

from datetime import timedelta

from django import forms
from django.utils import timezone

from apps.accounts.models import User
from apps.core.admin_forms import IdempotentForm
from apps.core.roles import Role
from apps.customers.models import Customer
from apps.depots.models import CylinderType

LINES = 4


def drivers():
    return User.objects.filter(role=Role.DRIVER, is_active=True).select_related("vehicle").order_by("name")


class OrderAdminForm(IdempotentForm):
    customer = forms.ModelChoiceField(Customer.objects.filter(is_active=True).order_by("name"))
    scheduled_for = forms.DateField(label="Delivery date", widget=forms.DateInput(attrs={"type": "date"}))
    driver = forms.ModelChoiceField(drivers(), required=False, help_text="Leave empty to plan it without a driver")
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["driver"].queryset = drivers()
        self.initial.setdefault("scheduled_for", timezone.localdate())
        for i in range(LINES):
            self.fields[f"type_{i}"] = forms.ModelChoiceField(
                CylinderType.objects.filter(is_active=True), required=False, label=f"Line {i + 1} type"
            )
            self.fields[f"qty_{i}"] = forms.IntegerField(required=False, label=f"Line {i + 1} quantity")
        self.line_rows: list[int] = []

    def lines(self) -> list[dict]:
        out, self.line_rows = [], []
        for i in range(LINES):
            ct, qty = self.cleaned_data.get(f"type_{i}"), self.cleaned_data.get(f"qty_{i}")
            if ct or qty is not None:
                out.append({"cylinder_type": ct, "quantity": qty})
                self.line_rows.append(i)
        return out

    def clean(self):
        data = super().clean()
        for i in range(LINES):
            ct, qty = data.get(f"type_{i}"), data.get(f"qty_{i}")
            if ct and qty is None and f"qty_{i}" not in self.errors:
                self.add_error(f"qty_{i}", "Enter a quantity for this cylinder type.")
            if qty is not None and not ct:
                self.add_error(f"type_{i}", "Choose the cylinder type for this quantity.")
        return data

    def field_for(self, path: tuple) -> str | None:
        if len(path) == 3 and path[0] == "lines" and isinstance(path[1], int) and path[1] < len(self.line_rows):
            prefix = {"quantity": "qty", "cylinder_type": "type"}.get(path[2])
            return f"{prefix}_{self.line_rows[path[1]]}" if prefix else None
        if path == ("lines",):
            return "type_0"
        return None

    def service_kwargs(self) -> dict:
        d = self.cleaned_data
        return {
            "customer": d["customer"],
            "scheduled_for": d["scheduled_for"],
            "driver": d.get("driver"),
            "notes": d.get("notes") or "",
            "lines": self.lines(),
        }

    def canonical(self) -> dict:
        k = self.service_kwargs()
        return {
            "customer": k["customer"].pk,
            "scheduled_for": k["scheduled_for"].isoformat(),
            "driver": k["driver"].pk if k["driver"] else None,
            "notes": k["notes"],
            "lines": [{"cylinder_type": line["cylinder_type"].pk, "quantity": line["quantity"]} for line in k["lines"]],
        }


class OrderAssignForm(forms.Form):
    """(Re)assign an open order to a driver, or move it to another day."""

    driver = forms.ModelChoiceField(drivers(), required=False, help_text="Empty: back to planned, no driver")
    scheduled_for = forms.DateField(label="Delivery date", widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["driver"].queryset = drivers()


class OrderImportForm(IdempotentForm):
    """A day's orders from a CSV file (the ``orders.import`` command)."""

    date = forms.DateField(label="Delivery date", widget=forms.DateInput(attrs={"type": "date"}))
    file = forms.FileField(
        label="CSV file", help_text="UTF-8, at most 1 MB and 2,000 rows (Excel: Save as › CSV UTF-8)."
    )
    allow_duplicate = forms.BooleanField(
        label="Import again",
        required=False,
        help_text="Only if this same file was already imported for this day and its orders are wanted twice.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("date", timezone.localdate() + timedelta(days=1))

    def field_for(self, path: tuple) -> str | None:
        return {"csv": "file", "date": "date"}.get(path[0]) if path else None
