from rest_framework.routers import DefaultRouter

from apps.audit.apis import AuditLogViewSet

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("audit", AuditLogViewSet, basename="audit")

urlpatterns = router.urls
