"""Finance in the Django admin: receivables (billing's invoices, read-only)
filterable by date, customer, status and overdue with the outstanding amount,
actions "Download PDFs (ZIP)" and "E-mail to customer"; an ageing page and an
exports page (period picker, every download of the API); the e-mail log.
Every page reads through apps.finance.selectors; every download and e-mail
goes through the same services (and audit) as the API."""

from datetime import date

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect, StreamingHttpResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone

from apps.core.exceptions import ApplicationError
from apps.core.permissions import role_of
from apps.core.roles import Role
from apps.customers.models import Customer
from apps.finance import exports, selectors, services
from apps.finance.models import EmailLog, ReceivableInvoice


class OverdueFilter(admin.SimpleListFilter):
    title = "overdue"
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", "Overdue"), ("no", "Not overdue")]

    def queryset(self, request, queryset):
        q = selectors.overdue_q(timezone.localdate())
        if self.value() == "yes":
            return queryset.filter(q)
        if self.value() == "no":
            return queryset.exclude(q)
        return queryset


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def _writer(request) -> bool:
    return role_of(request.user) in (Role.ADMIN, Role.FINANCE)


class EmailLogInline(admin.TabularInline):
    """Every e-mail of the invoice, on the invoice (read-only)."""

    model = EmailLog
    fk_name = "invoice"
    fields = ["to_address", "status", "attempts", "last_error", "queued_at", "last_attempt_at", "next_attempt",
              "sent_at", "failed_at"]  # fmt: skip
    readonly_fields = fields
    extra = max_num = 0
    can_delete = False
    verbose_name_plural = "e-mails"

    @admin.display(description="next attempt (back-off)")
    def next_attempt(self, obj):
        return selectors.email_next_attempt_at(obj) or "-"

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ReceivableInvoice)
class ReceivableInvoiceAdmin(ReadOnlyAdmin):
    list_display = ["number", "issue_date", "due_date", "customer_name", "total", "outstanding", "status", "emails"]
    list_filter = [("issue_date", admin.DateFieldListFilter), "status", OverdueFilter, "customer"]
    search_fields = ["number", "customer_name"]
    list_select_related = ["customer"]
    actions = ["download_pdfs", "email_to_customer"]
    inlines = [EmailLogInline]

    @admin.display(description="outstanding (SGD)")
    def outstanding(self, obj):
        return obj.total - obj.amount_paid - obj.amount_credited

    @admin.display(description="e-mails")
    def emails(self, obj):
        return ", ".join(f"{e.status.lower()} {e.to_address}" for e in obj.email_logs.all()[:3])

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("email_logs")

    @admin.action(description="Download PDFs (ZIP)")
    def download_pdfs(self, request, queryset):
        numbers = list(queryset.order_by("issue_date", "number").values_list("pk", "number"))
        services.report_audit(actor=request.user, report="invoices_zip", export=True, rows=len(numbers),
                              params={"selection": [n for _, n in numbers][:200]}, request=request)  # fmt: skip
        docs = services.zip_documents_for(numbers)
        response = StreamingHttpResponse(exports.zip_stream(docs), content_type="application/zip")
        response["Content-Disposition"] = 'attachment; filename="invoices.zip"'
        return response

    @admin.action(description="E-mail to customer")
    def email_to_customer(self, request, queryset):
        if not _writer(request):
            raise PermissionDenied
        sent, refused = 0, []
        for invoice in queryset:
            try:
                services.invoice_email_queue(actor=request.user, invoice=invoice, request=request)
                sent += 1
            except ApplicationError as exc:
                refused.append(f"{invoice.number}: {exc.extra.get('fields', {}).get('to', [exc.detail])[0]}")
        if sent:
            self.message_user(request, f"{sent} invoice(s) queued for e-mail; see the e-mail log.")
        for line in refused:
            self.message_user(request, line, level=messages.ERROR)

    def get_urls(self):
        extra = [
            path("ageing/", self.admin_site.admin_view(self.ageing_view), name="finance_ageing"),
            path("exports/", self.admin_site.admin_view(self.exports_view), name="finance_exports"),
            path("exports/<slug:what>/", self.admin_site.admin_view(self.download_view), name="finance_download"),
            path("statements/", self.admin_site.admin_view(self.statements_view), name="finance_statements"),
            path(
                "statements/<int:pk>/pdf/",
                self.admin_site.admin_view(self.statement_pdf_view),
                name="finance_statement_pdf",
            ),  # fmt: skip
        ]
        return extra + super().get_urls()

    def _check_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied

    def ageing_view(self, request):
        self._check_view(request)
        try:
            as_of = date.fromisoformat(request.GET.get("as_of", ""))
        except ValueError:
            as_of = timezone.localdate()
        ageing = selectors.ageing_report(as_of=as_of)
        services.report_audit(actor=request.user, report="ageing", request=request, rows=ageing.invoice_count,
                              params={"as_of": as_of.isoformat(), "customer": None})  # fmt: skip
        context = {**self.admin_site.each_context(request), "title": f"Ageing as of {as_of:%d/%m/%Y}",
                   "ageing": ageing, "as_of": as_of, "opts": self.model._meta,
                   "buckets": selectors.BUCKETS}  # fmt: skip
        return TemplateResponse(request, "admin/finance/ageing.html", context)

    def exports_view(self, request):
        self._check_view(request)
        today = timezone.localdate()
        first = today.replace(day=1)
        context = {**self.admin_site.each_context(request), "title": "Month end: reports and exports",
                   "opts": self.model._meta, "date_from": request.GET.get("from", first.isoformat()),
                   "date_to": request.GET.get("to", today.isoformat()),
                   "ageing_url": reverse("admin:finance_ageing"),
                   "statements_url": reverse("admin:finance_statements"),
                   "base": reverse("admin:finance_exports")}  # fmt: skip
        return TemplateResponse(request, "admin/finance/exports.html", context)

    def statements_view(self, request):
        """Statements of account for a period: every customer with a balance at
        its end, the PDF of each, and "E-mail statements" for the ticked ones
        (queued through the same service and audit as the API)."""
        from apps.finance.serializers import PeriodInput

        self._check_view(request)
        today = timezone.localdate()
        source = request.POST if request.method == "POST" else request.GET
        period = PeriodInput(data={"from": source.get("from", today.replace(day=1).isoformat()),
                                   "to": source.get("to", today.isoformat())})  # fmt: skip
        if not period.is_valid():
            context = {**self.admin_site.each_context(request), "title": "Statements of account",
                       "opts": self.model._meta, "errors": period.errors, "date_from": source.get("from", ""),
                       "date_to": source.get("to", "")}  # fmt: skip
            return TemplateResponse(request, "admin/finance/statements.html", context, status=400)
        date_from, date_to = period.validated_data["date_from"], period.validated_data["date_to"]
        if request.method == "POST":
            if not _writer(request):
                raise PermissionDenied
            queued, refused = 0, []
            for customer in Customer.objects.filter(pk__in=[v for v in request.POST.getlist("customer")
                                                            if v.isdigit()]).order_by("code"):  # fmt: skip
                try:
                    services.statement_email_queue(actor=request.user, customer=customer, date_from=date_from,
                                                   date_to=date_to, request=request)  # fmt: skip
                    queued += 1
                except ApplicationError as exc:
                    refused.append(f"{customer.code}: {exc.extra.get('fields', {}).get('to', [exc.detail])[0]}")
            if queued:
                self.message_user(request, f"{queued} statement(s) queued for e-mail; see the e-mail log.")
            for line in refused:
                self.message_user(request, line, level=messages.ERROR)
            return HttpResponseRedirect(f"{request.path}?from={date_from}&to={date_to}")
        ageing = selectors.ageing_report(as_of=date_to)
        services.report_audit(actor=request.user, report="statements", request=request, rows=len(ageing.customers),
                              params={"from": date_from.isoformat(), "to": date_to.isoformat()})  # fmt: skip
        emails = Customer.objects.in_bulk([row.customer_id for row in ageing.customers])
        rows = [(row, emails[row.customer_id].email) for row in ageing.customers]
        context = {**self.admin_site.each_context(request), "title": "Statements of account", "rows": rows,
                   "opts": self.model._meta, "date_from": date_from.isoformat(), "date_to": date_to.isoformat(),
                   "may_send": _writer(request)}  # fmt: skip
        return TemplateResponse(request, "admin/finance/statements.html", context)

    def statement_pdf_view(self, request, pk):
        """The API's statement (PDF, audited) for an admin session."""
        from apps.finance import apis

        self._check_view(request)
        return apis.StatementApi.as_view()(request, pk=pk, session=True)

    def download_view(self, request, what):
        """The API's files for an admin session (the API itself takes JWTs)."""
        from apps.finance import apis

        self._check_view(request)
        views = {
            "gst-summary": apis.GstSummaryApi.as_view(),
            "invoice-register": apis.RegisterExportApi.as_view(register="invoice-register"),
            "payments": apis.RegisterExportApi.as_view(register="payments"),
            "credit-notes": apis.RegisterExportApi.as_view(register="credit-notes"),
            "accounting": apis.AccountingExportApi.as_view(),
            "invoices-zip": apis.InvoiceZipApi.as_view(),
        }
        if what not in views:
            raise PermissionDenied
        return views[what](request, session=True)


@admin.register(EmailLog)
class EmailLogAdmin(ReadOnlyAdmin):
    list_display = ["id", "kind", "invoice", "customer", "to_address", "status", "attempts", "queued_at",
                    "next_attempt", "sent_at", "last_error"]  # fmt: skip
    list_filter = ["status", "kind"]
    search_fields = ["to_address", "invoice__number", "customer__name"]
    list_select_related = ["invoice", "customer"]

    @admin.display(description="next attempt (back-off)")
    def next_attempt(self, obj):
        return selectors.email_next_attempt_at(obj) or "-"

    def get_queryset(self, request):
        return selectors.email_log_list(user=request.user)
