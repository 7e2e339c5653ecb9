from django.urls import include, path, re_path
from rest_framework.routers import DefaultRouter

from apps.core.api import ID_PATTERN
from apps.portal.apis import (
    AccountApi,
    ContactCorrectApi,
    ContactInviteApi,
    ContactListApi,
    CustomerCreditNoteViewSet,
    CustomerCylindersApi,
    CustomerInvoiceViewSet,
    CustomerOrderViewSet,
    CustomerPaymentsApi,
    CustomerStatementApi,
    DataExportApi,
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
    path("customer/me/export/", DataExportApi.as_view(), name="customer-me-export"),
    path("customer/account/", AccountApi.as_view(), name="customer-account"),
    path("customer/payments/", CustomerPaymentsApi.as_view(), name="customer-payments"),
    path("customer/cylinders/", CustomerCylindersApi.as_view(), name="customer-cylinders"),
    path("customer/statement/", CustomerStatementApi.as_view(), name="customer-statement"),
    path("customer/quote/", QuoteApi.as_view(), name="customer-quote"),
    path("customer/invites/", ContactInviteApi.as_view(), name="customer-invites"),
    path("customer/accept-invite/", InviteAcceptApi.as_view(), name="customer-accept-invite"),
    path("customer/", include(router.urls)),
    # the office's view of a customer's contacts, and its corrections (docs/customers.md)
    re_path(
        rf"^customers/(?P<customer_pk>{ID_PATTERN})/contacts/$", ContactListApi.as_view(), name="customer-contacts"
    ),
    re_path(
        rf"^customers/(?P<customer_pk>{ID_PATTERN})/contacts/(?P<pk>{ID_PATTERN})/$",
        ContactCorrectApi.as_view(),
        name="customer-contact-correct",
    ),
]
