"""Routes of issue 4: invoices, credit notes and payments (deliveries:
apps.deliveries.urls). Included once from config/urls.py."""

from rest_framework.routers import DefaultRouter

from apps.billing.apis import CreditNoteViewSet, InvoiceViewSet

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("invoices", InvoiceViewSet, basename="invoice")
router.register("credit-notes", CreditNoteViewSet, basename="credit-note")

urlpatterns = router.urls
