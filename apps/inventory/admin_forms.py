"""Admin forms for stock: documents (receipt, dump, transfer; adjustments and
write-offs for supervisors), the depot counter (a truck's load and return,
through the distribution service) and reversals. Each form offers only what
the user's role may use; the services check again."""

from django import forms

from apps.accounts.models import User
from apps.core.admin_forms import IdempotentForm
from apps.core.permissions import role_of
from apps.core.roles import Role
from apps.depots.models import CylinderType, Depot, Vehicle
from apps.depots.selectors import vehicle_list
from apps.inventory.enums import CylinderState, MovementType, StockDocumentKind
from apps.inventory.models import Location

LINES = 4
SUPERVISOR_KINDS = (StockDocumentKind.ADJUSTMENT, StockDocumentKind.WRITE_OFF)
DEPOT_KINDS = (StockDocumentKind.RECEIPT, StockDocumentKind.DUMP, StockDocumentKind.TRANSFER)


def document_kinds_for(user) -> list[tuple[str, str]]:
    """The stock document kinds this user may record (never REVERSAL: that has its own page)."""
    role = role_of(user)
    if role in (Role.ADMIN, Role.SUPERVISOR):
        allowed: tuple[StockDocumentKind, ...] = DEPOT_KINDS + SUPERVISOR_KINDS
    elif role == Role.DEPOT_STAFF:
        allowed = DEPOT_KINDS
    else:
        allowed = ()
    return [(value, label) for value, label in StockDocumentKind.choices if value in allowed]


def depots_for(user):
    """Depot staff work at their own depot; the office at any active depot."""
    qs = Depot.objects.filter(is_active=True).order_by("name")
    if role_of(user) == Role.DEPOT_STAFF:
        return qs.filter(pk=user.depot_id)
    return qs


class StockDocumentAdminForm(IdempotentForm):
    kind = forms.ChoiceField()
    depot = forms.ModelChoiceField(Depot.objects.none(), required=False, help_text="Receipt, dump, transfer (from)")
    to_depot = forms.ModelChoiceField(Depot.objects.none(), required=False, help_text="Transfer (to)")
    location = forms.ModelChoiceField(
        Location.objects.filter(is_virtual=False),
        required=False,
        help_text="Adjustment or write-off: depot, vehicle or customer",
    )
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, help_text="Required for adjustments and write-offs"
    )
    reference = forms.CharField(max_length=64, required=False, help_text="Plant docket, delivery order, ...")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["kind"].choices = document_kinds_for(user)
        self.fields["depot"].queryset = depots_for(user)
        self.fields["to_depot"].queryset = Depot.objects.filter(is_active=True).order_by("name")
        if role_of(user) == Role.DEPOT_STAFF:
            self.initial.setdefault("depot", user.depot_id)
            del self.fields["location"]  # adjustments and write-offs are the supervisor's
            self.fields["reason"].help_text = "Optional note"
        for i in range(LINES):
            self.fields[f"type_{i}"] = forms.ModelChoiceField(
                CylinderType.objects.filter(is_active=True), required=False, label=f"Line {i + 1} type"
            )
            self.fields[f"state_{i}"] = forms.ChoiceField(
                choices=[("", "---------")] + list(CylinderState.choices),
                required=False,
                label=f"Line {i + 1} state",
                help_text="Transfers, adjustments and write-offs: say full or empty",
            )
            self.fields[f"qty_{i}"] = forms.IntegerField(
                required=False,
                label=f"Line {i + 1} quantity",
                min_value=-100000,
                max_value=100000,
                help_text="signed for adjustments (+ found, - missing)",
            )
        self.line_rows: list[int] = []  # service line index -> form row

    def lines(self) -> list[dict]:
        out, self.line_rows = [], []
        for i in range(LINES):
            ct, qty = self.cleaned_data.get(f"type_{i}"), self.cleaned_data.get(f"qty_{i}")
            if ct and qty:
                out.append({"cylinder_type": ct, "state": self.cleaned_data.get(f"state_{i}") or None, "quantity": qty})
                self.line_rows.append(i)
        return out

    def clean(self):
        data = super().clean()
        for i in range(LINES):
            ct, qty = data.get(f"type_{i}"), data.get(f"qty_{i}")
            if ct and not qty and f"qty_{i}" not in self.errors:
                self.add_error(f"qty_{i}", "Enter a quantity for this cylinder type.")
            if qty and not ct:
                self.add_error(f"type_{i}", "Choose the cylinder type for this quantity.")
        if not self.errors and not self.lines():
            self.add_error("type_0", "Enter at least one line with a type and a quantity.")
        return data

    def field_for(self, path: tuple) -> str | None:
        """The service's ``lines.<n>.<field>`` -> this form's ``<field>_<row>``."""
        if len(path) == 3 and path[0] == "lines" and isinstance(path[1], int) and path[1] < len(self.line_rows):
            prefix = {"state": "state", "quantity": "qty", "cylinder_type": "type"}.get(path[2])
            return f"{prefix}_{self.line_rows[path[1]]}" if prefix else None
        if path == ("lines",):
            return "type_0"
        return None

    def service_kwargs(self) -> dict:
        data = {k: self.cleaned_data.get(k) for k in ("kind", "depot", "to_depot", "location", "reason", "reference")}
        data["reason"] = data["reason"] or ""
        data["reference"] = data["reference"] or ""
        return {**data, "lines": self.lines()}

    def canonical(self) -> dict:
        """The request as plain values, for the idempotency fingerprint."""
        kwargs = self.service_kwargs()
        return {
            **{k: getattr(kwargs[k], "pk", kwargs[k]) for k in ("kind", "depot", "to_depot", "location")},
            "reason": kwargs["reason"],
            "reference": kwargs["reference"],
            "lines": [
                {"cylinder_type": line["cylinder_type"].pk, "state": line["state"], "quantity": line["quantity"]}
                for line in kwargs["lines"]
            ],
        }


# -- the depot counter ------------------------------------------------------------

# column -> (movement, what the clerk calls it)
COUNTER_COLUMNS = (
    ("load", MovementType.COLLECTION, "Fulls loaded onto the truck"),
    ("empty", MovementType.EMPTY_RETURN, "Empties returned"),
    ("full", MovementType.FULL_RETURN, "Unsold fulls returned"),
)


class DepotCounterForm(IdempotentForm):
    """One truck at the counter: for each cylinder type, how many fulls go out
    and how many empties / unsold fulls come back. Saved as one distribution."""

    depot = forms.ModelChoiceField(Depot.objects.none(), empty_label=None)
    vehicle = forms.ModelChoiceField(Vehicle.objects.none(), label="Truck")
    driver = forms.ModelChoiceField(User.objects.none(), required=False, help_text="Who drives it today (optional)")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["depot"].queryset = depots_for(user)
        if role_of(user) == Role.DEPOT_STAFF:
            self.initial["depot"] = user.depot_id  # their own depot, whatever a link says
        vehicles = vehicle_list(user=user).filter(is_active=True).order_by("plate_number")
        self.fields["vehicle"].queryset = vehicles
        drivers = User.objects.filter(role=Role.DRIVER, is_active=True).order_by("name")
        if role_of(user) == Role.DEPOT_STAFF:
            drivers = drivers.filter(vehicle__home_depot_id=user.depot_id)
        self.fields["driver"].queryset = drivers
        self.types = list(CylinderType.objects.filter(is_active=True).order_by("weight_kg", "pk"))
        for ct in self.types:
            for column, _, label in COUNTER_COLUMNS:
                self.fields[f"{column}_{ct.pk}"] = forms.IntegerField(
                    required=False, min_value=0, max_value=10000, label=f"{ct.name}: {label.lower()}"
                )
        self.item_fields: list[str] = []  # service item index -> form field

    def rows(self):
        """(cylinder type, [bound fields per column]) for the template."""
        return [(ct, [self[f"{column}_{ct.pk}"] for column, _, _ in COUNTER_COLUMNS]) for ct in self.types]

    def columns(self):
        return [label for _, _, label in COUNTER_COLUMNS]

    def clean(self):
        data = super().clean()
        if not self.errors and not self.payload()["items"]:
            first = f"{COUNTER_COLUMNS[0][0]}_{self.types[0].pk}" if self.types else None
            self.add_error(first, "Enter at least one quantity (fulls loaded or cylinders returned).")
        return data

    def payload(self) -> dict:
        """The body the API takes (POST /api/distributions/), as plain ids."""
        items, self.item_fields = [], []
        depot, vehicle, driver = (self.cleaned_data.get(k) for k in ("depot", "vehicle", "driver"))
        for ct in self.types:
            for column, movement, _ in COUNTER_COLUMNS:
                qty = self.cleaned_data.get(f"{column}_{ct.pk}")
                if qty:
                    items.append(
                        {
                            "depot": depot.pk if depot else None,
                            "cylinder_type": ct.pk,
                            "quantity": qty,
                            "movement_type": movement.value,
                        }
                    )
                    self.item_fields.append(f"{column}_{ct.pk}")
        return {"vehicle": vehicle.pk if vehicle else None, "driver": driver.pk if driver else None, "items": items}

    def field_for(self, path: tuple) -> str | None:
        if len(path) >= 2 and path[0] == "items" and isinstance(path[1], int) and path[1] < len(self.item_fields):
            if len(path) == 3 and path[2] == "depot":
                return "depot"
            return self.item_fields[path[1]]
        return None

    def shortage_field(self, shortage: dict) -> str | None:
        """A stock shortage at the depot (fulls to load) or on the truck (what comes back)."""
        location = Location.objects.filter(pk=shortage["location"]).first()
        if location is None:
            return None
        ct = shortage["cylinder_type"]
        if location.depot_id:
            return f"load_{ct}"
        if location.vehicle_id:
            return f"{'empty' if shortage['state'] == CylinderState.EMPTY else 'full'}_{ct}"
        return None


def counter_initial(params) -> dict:
    """The depot counter pre-filled from a link (the load sheet's "Load at the
    depot counter"): ``?vehicle=<id>&depot=<id>&load=<type id>:<qty>,...``.
    Only a starting point: nothing is recorded until the clerk submits, and a
    malformed or unknown part is left out rather than refused."""
    initial: dict = {}
    for name in ("vehicle", "depot"):
        value = params.get(name, "")
        if value.isdigit():
            initial[name] = int(value)
    for part in params.get("load", "").split(","):
        type_id, _, qty = part.partition(":")
        if type_id.strip().isdigit() and qty.strip().isdigit() and 0 < int(qty) <= 10000:
            initial[f"load_{int(type_id)}"] = int(qty)
    return initial


class ReasonForm(IdempotentForm):
    """A confirmation that needs a reason (reversal, approval, send-back)."""

    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        help_text="Required: it is kept with the document and in the audit log.",
    )
