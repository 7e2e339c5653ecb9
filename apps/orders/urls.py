from django.urls import include, path
from rest_framework.routers import DefaultRouter

from apps.orders.apis import (
    DayEndCountViewSet,
    DayEndReceiptApi,
    DayEndSummaryApi,
    MyDayApi,
    OrderImportApi,
    OrderViewSet,
    RepeatOrdersGenerateApi,
    RoutePlanApi,
    RoutePlanViewSet,
)

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("orders", OrderViewSet, basename="order")
router.register("routes", RoutePlanViewSet, basename="route")
router.register("day-end/counts", DayEndCountViewSet, basename="day-end-count")

urlpatterns = [
    # before the router: orders/<pk>/ would take "import" for an id
    path("orders/import/", OrderImportApi.as_view(), name="order-import"),
    path("orders/repeat/generate/", RepeatOrdersGenerateApi.as_view(), name="repeat-orders-generate"),
    path("routes/plan/", RoutePlanApi.as_view(), name="route-plan"),
    path("my-day/", MyDayApi.as_view(), name="my-day"),
    path("day-end/summary/", DayEndSummaryApi.as_view(), name="day-end-summary"),
    path("day-end/summary/receipt/", DayEndReceiptApi.as_view(), name="day-end-receipt"),
    path("", include(router.urls)),
]
