from django.urls import include, path
from rest_framework.routers import DefaultRouter

from apps.dispatch.apis import (
    DispatchBoardApi,
    DispatchLockViewSet,
    DispatchMoveViewSet,
    DispatchPlanViewSet,
    DispatchRouteApi,
    LoadSheetApi,
    RouteClashViewSet,
    RoutePlanApi,
)

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("dispatch/plans", DispatchPlanViewSet, basename="dispatch-plan")
router.register("dispatch/moves", DispatchMoveViewSet, basename="dispatch-move")
router.register("dispatch/locks", DispatchLockViewSet, basename="dispatch-lock")
router.register("dispatch/clashes", RouteClashViewSet, basename="dispatch-clash")

urlpatterns = [
    path("routes/plan/", RoutePlanApi.as_view(), name="route-plan"),
    path("dispatch/board/", DispatchBoardApi.as_view(), name="dispatch-board"),
    path("dispatch/routes/", DispatchRouteApi.as_view(), name="dispatch-routes"),
    path("dispatch/load-sheets/<int:vehicle_id>/", LoadSheetApi.as_view(), name="dispatch-load-sheet"),
    path("", include(router.urls)),
]
