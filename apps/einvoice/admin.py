"""E-invoices in the Django admin (finance, auditor: read-only): status,
the failed rules (id and text) of an invalid document, a download link, the
outbox row; "Render again" for an invalid one once its cause is fixed; a
period ZIP. Every download goes through the same service (and audit) as
the API."""

from datetime import date

from django.contrib import admin, messages
from django.http import HttpResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from apps.core.exceptions import ApplicationError
from apps.einvoice import services
from apps.einvoice.enums import DocumentKind, EInvoiceStatus
from apps.einvoice.models import EInvoice, Transmission


class TransmissionInline(admin.StackedInline):
    model = Transmission
    extra = 0
    can_delete = False
    readonly_fields = [f.name for f in Transmission._meta.fields]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(EInvoice)
class EInvoiceAdmin(admin.ModelAdmin):
    list_display = ["number", "kind", "issue_date", "status", "failed_rules", "payable_amount", "tax_amount",
                    "receiver_id", "transmission_status", "download"]  # fmt: skip
    list_filter = ["status", "kind", "issue_date"]
    search_fields = ["number", "receiver_id", "uuid"]
    readonly_fields = ["kind", "invoice", "credit_note", "number", "uuid", "status", "failed_rules", "sha256",
                       "size", "sender_id", "receiver_id", "payable_amount", "tax_amount", "issue_date",
                       "rendered_at", "download"]  # fmt: skip
    exclude = ["errors", "warnings", "file"]
    inlines = [TransmissionInline]
    actions = ["render_again"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="failed rules")
    def failed_rules(self, obj):
        if not obj.errors:
            return "-"
        return format_html_join(
            "",
            "<div><b>{}</b> {} <i>{}</i> <small>{}</small></div>",
            ((e["rule"], e["text"], e.get("detail", ""), e.get("source", "our check")) for e in obj.errors),
        )

    @admin.display(description="transmission")
    def transmission_status(self, obj):
        t = getattr(obj, "transmission", None)
        return f"{t.status} ({t.attempts} attempts)" if t is not None else "-"

    @admin.display(description="XML")
    def download(self, obj):
        if obj.status != EInvoiceStatus.READY:
            return "-"
        return format_html('<a href="{}">{}.xml</a>', reverse("admin:einvoice_download", args=[obj.pk]), obj.number)

    def get_urls(self):
        own = [
            path("<int:pk>/download/", self.admin_site.admin_view(self.download_view), name="einvoice_download"),
            path("period.zip", self.admin_site.admin_view(self.zip_view), name="einvoice_zip"),
        ]
        return own + super().get_urls()

    def download_view(self, request, pk: int):
        row = EInvoice.objects.get(pk=pk)
        if not self.has_view_permission(request, row):
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied
        document_id = row.invoice_id if row.kind == DocumentKind.INVOICE else row.credit_note_id
        assert document_id is not None  # the einvoice_one_document constraint
        row, data = services.einvoice_download(actor=request.user, kind=row.kind, document_id=document_id,
                                               request=request)  # fmt: skip
        response = HttpResponse(data, content_type="application/xml")
        response["Content-Disposition"] = f'attachment; filename="{row.number}.xml"'
        return response

    def zip_view(self, request):
        """?from=YYYY-MM-DD&to=YYYY-MM-DD: the period's e-invoices as one ZIP."""
        if not self.has_view_permission(request):
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied
        try:
            start, end = date.fromisoformat(request.GET["from"]), date.fromisoformat(request.GET["to"])
            data = services.einvoice_zip(actor=request.user, date_from=start, date_to=end, request=request)
        except (KeyError, ValueError, ApplicationError) as exc:
            return HttpResponse(f"Give ?from=YYYY-MM-DD&to=YYYY-MM-DD ({exc}).", status=400, content_type="text/plain")
        response = HttpResponse(data, content_type="application/zip")
        response["Content-Disposition"] = f'attachment; filename="einvoices-{start}-{end}.zip"'
        return response

    @admin.action(description="Render again (invalid e-invoices, once the cause is fixed)")
    def render_again(self, request, queryset):
        for row in queryset.filter(status=EInvoiceStatus.INVALID):
            document_id = row.invoice_id if row.kind == DocumentKind.INVOICE else row.credit_note_id
            assert document_id is not None
            row = services.einvoice_render(kind=row.kind, document_id=document_id)
            level = messages.SUCCESS if row.status == EInvoiceStatus.READY else messages.WARNING
            self.message_user(request, f"{row.number}: {row.status}", level)
