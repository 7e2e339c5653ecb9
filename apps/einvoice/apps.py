from django.apps import AppConfig


class EinvoiceConfig(AppConfig):
    name = "apps.einvoice"
    label = "einvoice"
    verbose_name = "InvoiceNow e-invoices"

    def ready(self) -> None:
        from apps.billing.issued import on_document_issued
        from apps.einvoice.services import document_issued_listener

        on_document_issued(document_issued_listener)
