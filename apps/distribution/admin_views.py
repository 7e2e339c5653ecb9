"""The depot counter: depot staff record a truck's load (COLLECTION) and its
return (EMPTY_RETURN / FULL_RETURN) at their depot, through the very entry
point the API and the PWA use (the ``distribution.create`` command: same
serializer, same service, same idempotency scope), so a double submit records one distribution."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from rest_framework import serializers

from apps.core.admin_forms import apply_errors, form_page, require_role
from apps.core.exceptions import ApplicationError
from apps.core.permissions import role_of
from apps.core.roles import Role
from apps.distribution.commands import DISTRIBUTION_CREATE
from apps.distribution.selectors import distribution_list
from apps.distribution.services import DOCUMENT_TYPE, distribution_reverse
from apps.inventory.admin_forms import DepotCounterForm, counter_initial
from apps.inventory.admin_views import reversal_page, stock_grid
from apps.inventory.enums import StockDocumentKind
from apps.inventory.exceptions import InsufficientStock
from apps.inventory.models import StockDocument

COUNTER_ROLES = (Role.ADMIN, Role.SUPERVISOR, Role.DEPOT_STAFF)
SCOPE_REVERSE = "distribution.reverse"


def depot_counter(model_admin, request):
    require_role(request, *COUNTER_ROLES)
    form = DepotCounterForm(request.POST or None, user=request.user, initial=counter_initial(request.GET))
    if request.method == "POST" and form.is_valid():
        try:
            result = DISTRIBUTION_CREATE.submit(actor=request.user, payload=form.payload(), key=form.key())
        except InsufficientStock as exc:
            for shortage, text in zip(exc.shortages, _shortage_texts(exc), strict=True):
                form.add_error(form.shortage_field(shortage), text)
        except (ApplicationError, serializers.ValidationError) as exc:
            apply_errors(form, exc, form.field_for)
        else:
            body = result.body
            note = " (already recorded: this was a repeated submit)" if result.replayed else ""
            messages.success(
                request,
                f"Recorded {body['number']}: {body['total_collection']} loaded, {body['total_return']} returned{note}.",
            )
            return redirect(reverse("admin:distribution_distributionheader_counter"))
    depot = None
    if role_of(request.user) == Role.DEPOT_STAFF:
        depot = request.user.depot
    elif form.is_bound and form.is_valid():
        depot = form.cleaned_data["depot"]
    return form_page(
        model_admin,
        request,
        title="Depot counter: load or return a truck",
        form=form,
        submit="Record",
        template="admin/distribution/counter.html",
        intro=(
            "One line per cylinder type: fulls going out onto the truck, empties and unsold fulls coming back. "
            "It is recorded as one distribution (DIST number), exactly as the driver's app does."
        ),
        extra={"stock": stock_grid(user=request.user, depot=depot)},
    )


def _shortage_texts(exc: InsufficientStock) -> list[str]:
    return [
        f"Not enough stock: {s['location_name']} holds {s['available']} {s['state'].lower()} "
        f"{s['cylinder_type_name']}, {s['requested']} requested."
        for s in exc.shortages
    ]


def distribution_reverse_page(model_admin, request, object_id):
    """Confirm the reversal of a load or return: its moves, and a mandatory reason
    (the same confirmation page as a stock document's)."""
    require_role(request, Role.ADMIN, Role.SUPERVISOR)
    header = get_object_or_404(distribution_list(user=request.user), pk=object_id)

    def reverse_header(user, reason: str) -> dict:
        distribution_reverse(actor=user, header=header, reason=reason)
        reversal = StockDocument.objects.get(
            kind=StockDocumentKind.REVERSAL, reverses_document_type=DOCUMENT_TYPE, reverses_document_id=header.pk
        )
        return {"id": header.pk, "number": reversal.number}

    return reversal_page(
        model_admin,
        request,
        document=header,
        document_type=DOCUMENT_TYPE,
        scope=SCOPE_REVERSE,
        reverse_document=reverse_header,
        done_url=lambda body: reverse("admin:distribution_distributionheader_change", args=[body["id"]]),
    )
