"""Custom admin pages for stock: stock at a glance, recording a stock document,
reversing one through a confirmation page. Each calls the same services as
the API; a refusal is shown on the form field it is about."""

from django.contrib import messages
from django.db.models import Max, Q
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone

from apps.core.admin_forms import apply_errors, form_page, require_role, run_once
from apps.core.exceptions import ApplicationError
from apps.core.permissions import role_of
from apps.core.roles import Role
from apps.depots.models import CylinderType, Depot
from apps.inventory.admin_forms import ReasonForm, StockDocumentAdminForm
from apps.inventory.enums import LocationKind
from apps.inventory.models import StockDocument, StockMove
from apps.inventory.selectors import balance_drift, stock_balance_list, stock_document_list
from apps.inventory.services import stock_document_create, stock_document_reverse

# The idempotency scopes of the admin's document forms (the API's own where it has one).
SCOPE_DOCUMENT = "stockdocument.create"
SCOPE_REVERSE = "stockdocument.reverse"
DOCUMENT_ROLES = (Role.ADMIN, Role.SUPERVISOR, Role.DEPOT_STAFF)


def stock_grid(*, user, depot: Depot | None = None) -> dict:
    """Full/empty per cylinder type for every depot and truck the user may see
    (depot staff: their depot and its trucks), with a total per row and per
    type, and the time the figures are as of."""
    types = list(CylinderType.objects.filter(is_active=True).order_by("weight_kg", "pk"))
    balances = stock_balance_list(user=user).filter(location__kind__in=[LocationKind.DEPOT, LocationKind.VEHICLE])
    if depot is not None:
        balances = balances.filter(Q(location__depot=depot) | Q(location__vehicle__home_depot=depot))
    grid: dict[int, dict] = {}
    for row in balances.select_related("location"):
        entry = grid.setdefault(row.location_id, {"location": row.location, "cells": {}})
        entry["cells"][row.cylinder_type_id] = (row.full_qty, row.empty_qty)
    rows = []
    for entry in sorted(grid.values(), key=lambda e: (e["location"].kind, e["location"].name)):
        cells = [entry["cells"].get(t.pk, (0, 0)) for t in types]
        rows.append(
            {
                "location": entry["location"],
                "is_truck": entry["location"].kind == LocationKind.VEHICLE,
                "cells": cells,
                "total": (sum(c[0] for c in cells), sum(c[1] for c in cells)),
            }
        )

    def totals(selected):
        cells = [
            (sum(r["cells"][i][0] for r in selected), sum(r["cells"][i][1] for r in selected))
            for i in range(len(types))
        ]
        return {"cells": cells, "total": (sum(c[0] for c in cells), sum(c[1] for c in cells))}

    last = balances.aggregate(last=Max("updated_at"))["last"]
    return {
        "types": types,
        "rows": rows,
        "depot_totals": totals([r for r in rows if not r["is_truck"]]),
        "truck_totals": totals([r for r in rows if r["is_truck"]]),
        "all_totals": totals(rows),
        "as_of": timezone.localtime(),
        "last_movement": timezone.localtime(last) if last else None,
    }


def stock_overview(model_admin, request):
    """Stock at a glance: depot staff their own depot; the office all, with a depot filter."""
    sees_all = role_of(request.user) in (Role.ADMIN, Role.SUPERVISOR, Role.FINANCE)
    depot = None
    if sees_all and request.GET.get("depot"):
        depot = Depot.objects.filter(pk=request.GET["depot"]).first() if request.GET["depot"].isdigit() else None
    context = {
        **model_admin.admin_site.each_context(request),
        **stock_grid(user=request.user, depot=depot),
        "title": "Stock at a glance",
        "depots": Depot.objects.order_by("name") if sees_all else [],
        "depot": depot,
        "own_depot": None if sees_all else request.user.depot,
        "drift": balance_drift(),
        "opts": model_admin.model._meta,
        "may_record": role_of(request.user) in DOCUMENT_ROLES,
    }
    return TemplateResponse(request, "admin/inventory/overview.html", context)


def stock_document_add(model_admin, request):
    """Receipts, dumps, transfers (depot staff at their depot); adjustments and
    write-offs (supervisors) through ``stock_document_create``."""
    require_role(request, *DOCUMENT_ROLES)
    form = StockDocumentAdminForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        user = request.user
        kwargs = form.service_kwargs()
        try:
            result = run_once(
                form,
                scope=SCOPE_DOCUMENT,
                payload=form.canonical(),
                user=user,
                action=lambda: _document_body(stock_document_create(actor=user, **kwargs)),
            )
        except ApplicationError as exc:
            apply_errors(form, exc, form.field_for)
        else:
            messages.success(request, f"Recorded {result.body['number']}.")
            return redirect(reverse("admin:inventory_stockdocument_change", args=[result.body["id"]]))
    return form_page(
        model_admin,
        request,
        title="Record a stock document",
        form=form,
        submit="Record",
        intro="Stock changes only through ledger documents. Adjustments and write-offs need a supervisor and a reason.",
    )


def _document_body(document: StockDocument) -> dict:
    return {"id": document.pk, "number": document.number}


def stock_document_reverse_page(model_admin, request, object_id):
    """Confirm a reversal: what will be undone, and a mandatory reason."""
    require_role(request, Role.ADMIN, Role.SUPERVISOR)
    document = get_object_or_404(stock_document_list(user=request.user), pk=object_id)

    def reverse_document(user, reason: str) -> dict:
        reversal = stock_document_reverse(
            actor=user, document_type="inventory.stockdocument", document_id=document.pk, reason=reason
        )
        return _document_body(reversal)

    return reversal_page(
        model_admin,
        request,
        document=document,
        document_type="inventory.stockdocument",
        scope=SCOPE_REVERSE,
        reverse_document=reverse_document,
        done_url=lambda body: reverse("admin:inventory_stockdocument_change", args=[body["id"]]),
    )


def reversal_page(model_admin, request, *, document, document_type: str, scope: str, reverse_document, done_url):
    """The one confirmation page for reversing any document that posted stock
    moves: the moves it will undo, and a mandatory reason. ``reverse_document``
    (user, reason) calls the service and returns the answer's body
    ({"id", "number"}); a double submit runs it once."""
    moves = (
        StockMove.objects.filter(document_type=document_type, document_id=document.pk)
        .select_related("cylinder_type", "from_location", "to_location")
        .order_by("id")
    )
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user, reason = request.user, form.cleaned_data["reason"]
        try:
            result = run_once(
                form,
                scope=scope,
                payload={"document": document.pk, "reason": reason},
                user=user,
                action=lambda: reverse_document(user, reason),
            )
        except ApplicationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, f"{document} reversed by {result.body['number']}.")
            return redirect(done_url(result.body))
    return form_page(
        model_admin,
        request,
        title=f"Reverse {document}",
        form=form,
        obj=document,
        submit="Reverse this document",
        template="admin/inventory/reverse_confirm.html",
        intro="A reversal posts compensating moves; the original stays in the ledger. Say why.",
        extra={"moves": moves, "document": document},
    )
