from django.urls import path
from rest_framework.routers import DefaultRouter

from apps.audit.apis import AuditLogViewSet, HealthApi

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("audit", AuditLogViewSet, basename="audit")

urlpatterns = [path("health/", HealthApi.as_view(), name="health"), *router.urls]
