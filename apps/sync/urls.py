from django.urls import include, path
from rest_framework.routers import DefaultRouter

from apps.sync.apis import DeviceViewSet, RejectedEventViewSet, SyncApi

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("devices", DeviceViewSet, basename="device")
router.register("sync/rejected", RejectedEventViewSet, basename="sync-rejected")

urlpatterns = [
    path("sync/", SyncApi.as_view(), name="sync"),
    path("", include(router.urls)),
]
