from django.contrib import admin
from django.urls import include, path, re_path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from apps.accounts.apis import LoginApi, LogoutApi, MeApi, RefreshApi
from apps.billing.price_apis import CustomerPricesApi, PayNowPayloadApi
from apps.core.company_apis import CompanyApi
from apps.core.pwa import pwa_index
from apps.customers.apis import CustomerViewSet
from apps.depots.apis import CylinderTypeViewSet, DepotViewSet, EquipmentViewSet, VehicleViewSet
from apps.distribution.apis import DistributionViewSet
from apps.inventory.apis import EquipmentHistoryApi, StockBalanceViewSet, StockDocumentViewSet, StockMoveViewSet

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("depots", DepotViewSet, basename="depot")
router.register("vehicles", VehicleViewSet, basename="vehicle")
router.register("cylinder-types", CylinderTypeViewSet, basename="cylinder-type")
router.register("equipment", EquipmentViewSet, basename="equipment")
router.register("customers", CustomerViewSet, basename="customer")
router.register("stock/moves", StockMoveViewSet, basename="stock-move")
router.register("stock/documents", StockDocumentViewSet, basename="stock-document")
router.register("stock", StockBalanceViewSet, basename="stock")
router.register("distributions", DistributionViewSet, basename="distribution")

api = [
    path("auth/token/", LoginApi.as_view(), name="token"),
    path("auth/token/refresh/", RefreshApi.as_view(), name="token-refresh"),
    path("auth/logout/", LogoutApi.as_view(), name="logout"),
    path("me/", MeApi.as_view(), name="me"),
    path("company/", CompanyApi.as_view(), name="company"),
    path(
        "customers/prices/", CustomerPricesApi.as_view(), name="customer-prices"
    ),  # before the router's customers/<pk>/
    path("equipment/<uuid:pk>/history/", EquipmentHistoryApi.as_view(), name="equipment-history"),
    path("paynow/payload/", PayNowPayloadApi.as_view(), name="paynow-payload"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="docs"),
    path("", include(router.urls)),
    path("", include("apps.accounts.urls")),
    path("", include("apps.audit.urls")),
    path("", include("apps.deliveries.urls")),
    path("", include("apps.einvoice.urls")),
    path("", include("apps.billing.urls")),
    path("", include("apps.sync.urls")),
    path("", include("apps.dispatch.urls")),  # before orders: routes/plan/ is not a route id
    path("", include("apps.orders.urls")),
    path("", include("apps.finance.urls")),
    path("", include("apps.portal.urls")),
]

urlpatterns = [
    path("api/", include(api)),
    # the admin pages of models that moved app (their bookmarks keep working)
    re_path(
        r"^admin/distribution/(?P<rest>delivery/.*)$",
        RedirectView.as_view(url="/admin/deliveries/%(rest)s", query_string=True),
    ),
    re_path(
        r"^admin/billing/(?P<rest>sequence/.*)$", RedirectView.as_view(url="/admin/core/%(rest)s", query_string=True)
    ),
    path("admin/", admin.site.urls),
    path("", RedirectView.as_view(url="/app/", permanent=False)),
    re_path(r"^app/(?P<path>.*)$", pwa_index, name="pwa"),
]

handler400 = "apps.core.exceptions.json_400"
handler403 = "apps.core.exceptions.json_403"
handler404 = "apps.core.exceptions.json_404"
handler500 = "apps.core.exceptions.json_500"
