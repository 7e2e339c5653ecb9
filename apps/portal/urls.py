from django.urls import include, path
from rest_framework.routers import DefaultRouter

from apps.portal.apis import (
    AccountApi,
    ContactInviteApi,
    CustomerCreditNoteViewSet,
    CustomerCylindersApi,
    CustomerInvoiceViewSet,
    CustomerOrderViewSet,
    CustomerPaymentsApi,
    CustomerStatementApi,
    InviteAcceptApi,
    ProfileApi,
    QuoteApi,
)

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("invoices", CustomerInvoiceViewSet, basename="customer-invoice")
router.register("credit-notes", CustomerCreditNoteViewSet, basename="customer-credit-note")
router.register("orders", CustomerOrderViewSet, basename="customer-order")

urlpatterns = [
    path("customer/me/", ProfileApi.as_view(), name="customer-me"),
    path("customer/account/", AccountApi.as_view(), name="customer-account"),
    path("customer/payments/", CustomerPaymentsApi.as_view(), name="customer-payments"),
    path("customer/cylinders/", CustomerCylindersApi.as_view(), name="customer-cylinders"),
    path("customer/statement/", CustomerStatementApi.as_view(), name="customer-statement"),
    path("customer/quote/", QuoteApi.as_view(), name="customer-quote"),
    path("customer/invites/", ContactInviteApi.as_view(), name="customer-invites"),
    path("customer/accept-invite/", InviteAcceptApi.as_view(), name="customer-accept-invite"),
    path("customer/", include(router.urls)),
]
