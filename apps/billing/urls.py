"""Routes of issue 4: deliveries (apps.distribution) and their invoices,
credit notes and payments. Included once from config/urls.py."""

from rest_framework.routers import DefaultRouter

from apps.billing.apis import CreditNoteViewSet, InvoiceViewSet
from apps.distribution.deliveries_apis import DeliveryViewSet

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("deliveries", DeliveryViewSet, basename="delivery")
router.register("invoices", InvoiceViewSet, basename="invoice")
router.register("credit-notes", CreditNoteViewSet, basename="credit-note")

urlpatterns = router.urls
