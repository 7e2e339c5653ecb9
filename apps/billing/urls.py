"""Routes of issue 4: invoices, credit notes and payments (deliveries:
apps.deliveries.urls); issue 13: a customer's cylinders and deposits.
Included once from config/urls.py."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from apps.billing.apis import CreditNoteViewSet, InvoiceViewSet
from apps.billing.deposit_apis import CustomerCylindersApi

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("invoices", InvoiceViewSet, basename="invoice")
router.register("credit-notes", CreditNoteViewSet, basename="credit-note")

urlpatterns = [
    path("customers/<int:pk>/cylinders/", CustomerCylindersApi.as_view(), name="customer-cylinders"),
    *router.urls,
]
