"""Routes of the deliveries (issue 4). Included once from config/urls.py."""

from rest_framework.routers import DefaultRouter

from apps.deliveries.apis import DeliveryViewSet

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("deliveries", DeliveryViewSet, basename="delivery")

urlpatterns = router.urls
