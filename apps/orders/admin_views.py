"""The dispatch desk in the admin: enter, import and assign orders, approve
or send back day-end variances (the day itself is planned on the dispatch
board, ``apps/dispatch``). Every page calls
the services in apps.orders (the API's); document-creating forms run through
``run_idempotent`` with the form's hidden key."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse

from apps.core.admin_forms import apply_errors, form_page, require_role, run_once
from apps.core.commands import command
from apps.core.exceptions import ApplicationError
from apps.core.roles import Role
from apps.inventory.admin_forms import ReasonForm
from apps.orders import selectors, services
from apps.orders.admin_forms import OrderAdminForm, OrderAssignForm, OrderImportForm
from apps.orders.enums import CountStatus
from apps.orders.imports import ImportInvalid, RowError, csv_text

DISPATCHERS = (Role.ADMIN, Role.SUPERVISOR)
SCOPE_ORDER = "order.create"
SCOPE_APPROVE = "day_end.approve"
SCOPE_SEND_BACK = "day_end.send_back"


def order_add(model_admin, request):
    require_role(request, *DISPATCHERS)
    form = OrderAdminForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user, kwargs = request.user, form.service_kwargs()
        try:
            result = run_once(
                form,
                scope=SCOPE_ORDER,
                payload=form.canonical(),
                user=user,
                action=lambda: {"id": services.order_create(actor=user, **kwargs).pk},
            )
        except ApplicationError as exc:
            apply_errors(form, exc, form.field_for)
        else:
            order_id = result.body["id"]
            messages.success(request, f"Order #{order_id} entered.")
            return redirect(reverse("admin:orders_order_change", args=[order_id]))
    return form_page(model_admin, request, title="Enter an order", form=form, submit="Save order")


def order_assign(model_admin, request, object_id):
    require_role(request, *DISPATCHERS)
    order = get_object_or_404(selectors.order_list(user=request.user), pk=object_id)
    form = OrderAssignForm(
        request.POST or None, initial={"driver": order.driver_id, "scheduled_for": order.scheduled_for}
    )
    if request.method == "POST" and form.is_valid():
        try:
            order = services.order_update(
                actor=request.user,
                order=order,
                driver=form.cleaned_data["driver"],
                scheduled_for=form.cleaned_data["scheduled_for"],
            )
        except ApplicationError as exc:
            apply_errors(form, exc)
        else:
            who = order.driver.name if order.driver else "nobody (planned)"
            messages.success(request, f"Order #{order.pk} for {order.scheduled_for} assigned to {who}.")
            return redirect(reverse("admin:orders_order_change", args=[order.pk]))
    return form_page(
        model_admin, request, title=f"Assign order #{order.pk}", form=form, obj=order, submit="Assign",
        intro=f"{order.customer}: {', '.join(f'{x.quantity} x {x.cylinder_type}' for x in order.lines.all())}.",
    )  # fmt: skip


def day_end_review(model_admin, request, object_id, *, approve: bool):
    require_role(request, *DISPATCHERS)
    count = get_object_or_404(selectors.day_end_count_list(user=request.user), pk=object_id)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user, reason = request.user, form.cleaned_data["reason"]
        service = services.day_end_variance_approve if approve else services.day_end_count_return
        try:
            run_once(
                form,
                scope=SCOPE_APPROVE if approve else SCOPE_SEND_BACK,
                payload={"count": count.pk, "reason": reason},
                user=user,
                action=lambda: {"id": service(actor=user, count=count, reason=reason).pk},
            )
        except ApplicationError as exc:
            apply_errors(form, exc)
        else:
            count.refresh_from_db()
            done = f"approved; adjustment {count.adjustment}" if approve else "sent back for a recount"
            messages.success(request, f"{count}: {done}.")
            return redirect(reverse("admin:orders_dayendcount_change", args=[count.pk]))
    lines = [line for line in count.lines.select_related("cylinder_type") if line.variance]
    return form_page(
        model_admin,
        request,
        title=f"{'Approve' if approve else 'Send back'} {count}",
        form=form,
        obj=count,
        submit="Approve and post the adjustment" if approve else "Send back for a recount",
        template="admin/orders/day_end_review.html",
        intro=(
            "Approving posts the differences below as one adjustment on the truck, so the ledger matches the count."
            if approve
            else "The driver counts again; nothing is posted."
        ),
        extra={"variance_lines": lines, "pending": count.status == CountStatus.PENDING},
    )


def order_import(model_admin, request):
    """Upload a day's orders (CSV): submitted through the ``orders.import``
    command, the API's, with the form's key; a file with any problem shows
    every problem in a table and imports nothing."""
    require_role(request, *DISPATCHERS)
    form = OrderImportForm(request.POST or None, request.FILES or None)
    row_errors: list[RowError] = []
    if request.method == "POST" and form.is_valid():
        day, upload = form.cleaned_data["date"], form.cleaned_data["file"]
        try:
            text = csv_text(upload.read(1_000_001))
            result = command("orders.import").submit(
                actor=request.user,
                payload={"date": day.isoformat(), "csv": text, "allow_duplicate": form.cleaned_data["allow_duplicate"]},
                key=form.key(),
            )
        except ImportInvalid as exc:
            row_errors = exc.errors
        except ApplicationError as exc:
            apply_errors(form, exc, form.field_for)
        else:
            created = result.body["created"]
            messages.success(
                request, f"{created} order{'s' if created != 1 else ''} for {day} imported from {upload.name}."
            )
            url = reverse("admin:orders_order_changelist")
            return redirect(f"{url}?scheduled_for={day.isoformat()}&source__exact=IMPORT")
    return form_page(
        model_admin, request, title="Import orders (CSV)", form=form, submit="Import",
        template="admin/orders/order_import.html", extra={"row_errors": row_errors},
        intro="One row per order and cylinder type; rows of one customer with the same window make one order. "
        "Every row is checked first: if any row has a problem, nothing is imported.",
    )  # fmt: skip
