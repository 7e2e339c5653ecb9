"""Routes of issue 11: finance reports, exports and e-mail. Included once from config/urls.py."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from apps.finance import apis

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("email-log", apis.EmailLogViewSet, basename="email-log")


urlpatterns = [
    path("reports/ageing/", apis.AgeingReportApi.as_view(), name="report-ageing"),
    path("reports/gst-summary/", apis.GstSummaryApi.as_view(), name="report-gst-summary"),
    path("customers/<int:pk>/statement/", apis.StatementApi.as_view(), name="customer-statement"),
    path("customers/<int:pk>/statement/email/", apis.StatementEmailApi.as_view(), name="customer-statement-email"),
    path("invoices/<int:pk>/email/", apis.InvoiceEmailApi.as_view(), name="invoice-email"),
    path(
        "exports/invoice-register.csv",
        apis.RegisterExportApi.as_view(register="invoice-register"),
        name="export-invoice-register",
    ),
    path("exports/payments.csv", apis.RegisterExportApi.as_view(register="payments"), name="export-payments"),
    path(
        "exports/credit-notes.csv", apis.RegisterExportApi.as_view(register="credit-notes"), name="export-credit-notes"
    ),
    path("exports/accounting.csv", apis.AccountingExportApi.as_view(), name="export-accounting"),
    path("exports/invoices.zip", apis.InvoiceZipApi.as_view(), name="export-invoices-zip"),
    *router.urls,
]
