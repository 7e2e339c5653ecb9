"""Finance in the admin: record a payment and issue a credit note from the
invoice's page (billing services, idempotent forms), and download the tax
invoice PDF through an authenticated view (never a public /media/ URL)."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse

from apps.billing import selectors, services
from apps.billing.admin_forms import CreditNoteAdminForm, PaymentAdminForm
from apps.core.admin_forms import apply_errors, form_page, require_role, run_once
from apps.core.exceptions import ApplicationError
from apps.core.roles import Role

OFFICE = (Role.ADMIN, Role.SUPERVISOR, Role.FINANCE)  # who records payments and credit notes (as the API)
SCOPE_PAYMENT = "invoice.payment"
SCOPE_CREDIT_NOTE = "credit_note.create"


def _invoice(request, object_id):
    return get_object_or_404(selectors.invoice_detail_list(user=request.user), pk=object_id)


def _summary(invoice) -> str:
    return (
        f"{invoice.customer_name}: total {invoice.total}, paid {invoice.amount_paid}, "
        f"credited {invoice.amount_credited}, due {invoice.amount_due} ({invoice.get_status_display()})."
    )


def payment_add(model_admin, request, object_id):
    require_role(request, *OFFICE)
    invoice = _invoice(request, object_id)
    form = PaymentAdminForm(request.POST or None, initial={"amount": invoice.amount_due})
    if request.method == "POST" and form.is_valid():
        user, d = request.user, form.cleaned_data
        try:
            result = run_once(
                form,
                scope=SCOPE_PAYMENT,
                payload=form.canonical(invoice),
                user=user,
                action=lambda: {
                    "id": services.payment_record(
                        actor=user,
                        invoice=invoice,
                        amount=d["amount"],
                        method=d["method"],
                        reference=d.get("reference") or "",
                        received_at=d.get("received_at"),
                    ).pk
                },
            )
        except ApplicationError as exc:
            if exc.code == "overpayment" or "amount_due" in exc.extra:
                form.add_error("amount", str(exc.detail))
            else:
                apply_errors(form, exc)
        else:
            invoice.refresh_from_db()
            messages.success(request, f"Payment #{result.body['id']} recorded on {invoice}. {_summary(invoice)}")
            return redirect(reverse("admin:billing_invoice_change", args=[invoice.pk]))
    return form_page(
        model_admin, request, title=f"Record a payment on {invoice}", form=form, obj=invoice,
        submit="Record payment", intro=_summary(invoice),
    )  # fmt: skip


def credit_note_add(model_admin, request, object_id):
    require_role(request, *OFFICE)
    invoice = _invoice(request, object_id)
    form = CreditNoteAdminForm(request.POST or None, invoice=invoice)
    if request.method == "POST" and form.is_valid():
        user, reason, lines = request.user, form.cleaned_data["reason"], form.lines()
        try:
            result = run_once(
                form,
                scope=SCOPE_CREDIT_NOTE,
                payload=form.canonical(invoice),
                user=user,
                action=lambda: _note_body(
                    services.credit_note_create(actor=user, invoice=invoice, reason=reason, lines=lines)
                ),
            )
        except ApplicationError as exc:
            if "amount_due" in exc.extra:
                form.add_error("whole" if lines is None else None, str(exc.detail))
            else:
                apply_errors(form, exc, form.field_for)
        else:
            invoice.refresh_from_db()
            body = result.body
            messages.success(request, f"Credit note {body['number']} ({body['total']}) issued. {_summary(invoice)}")
            return redirect(reverse("admin:billing_invoice_change", args=[invoice.pk]))
    return form_page(
        model_admin, request, title=f"Issue a credit note on {invoice}", form=form, obj=invoice,
        submit="Issue credit note", intro=_summary(invoice),
    )  # fmt: skip


def _note_body(note) -> dict:
    return {"id": note.pk, "number": note.number, "total": str(note.total)}


def invoice_pdf(model_admin, request, object_id):
    """The stored tax invoice PDF (rendered now if missing), for whoever may
    see the invoice (the API's selector), audited by ``invoice_pdf_download``."""
    invoice = _invoice(request, object_id)
    data = services.invoice_pdf_download(actor=request.user, invoice=invoice, request=request)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{invoice.number}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response
