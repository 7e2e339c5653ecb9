"""Routes of issue 24 (InvoiceNow). Included from config/urls.py before
billing's router, which has no einvoice/ action of its own."""

from django.urls import path

from apps.einvoice.apis import CreditNoteEInvoiceApi, EInvoiceZipApi, InvoiceEInvoiceApi

urlpatterns = [
    path("invoices/<int:pk>/einvoice/", InvoiceEInvoiceApi.as_view(), name="invoice-einvoice"),
    path("credit-notes/<int:pk>/einvoice/", CreditNoteEInvoiceApi.as_view(), name="credit-note-einvoice"),
    path("exports/einvoices.zip", EInvoiceZipApi.as_view(), name="einvoices-zip"),
]
