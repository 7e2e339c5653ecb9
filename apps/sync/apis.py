from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.enums import Role
from apps.accounts.permissions import roles
from apps.core.api import SafeLookupMixin
from apps.sync import selectors, services
from apps.sync.serializers import (
    DeviceInput,
    DeviceSerializer,
    RejectedEventSerializer,
    SyncInput,
    SyncOutput,
)


class DeviceViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """A user's phones (own ones; admins and supervisors see all)."""

    serializer_class = DeviceSerializer
    permission_classes = [IsAuthenticated]
    lookup_value_regex = r"[0-9a-fA-F-]{32,36}"
    filterset_fields = ["user"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation, no user
            return selectors.device_list(user=None)
        return selectors.device_list(user=self.request.user)

    @extend_schema(request=DeviceInput, responses={201: DeviceSerializer})
    def create(self, request, *args, **kwargs):
        data = DeviceInput(data=request.data)
        data.is_valid(raise_exception=True)
        device = services.device_register(actor=request.user, request=request, **data.validated_data)
        return Response(DeviceSerializer(device).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: DeviceSerializer})
    @action(detail=True, methods=["post"], permission_classes=[roles(Role.ADMIN, Role.SUPERVISOR)])
    def revoke(self, request, pk=None):
        device = services.device_revoke(actor=request.user, device=self.get_object(), request=request)
        return Response(DeviceSerializer(device).data)


class SyncApi(APIView):
    """Signed offline events, applied in order, each at most once."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=SyncInput, responses={200: SyncOutput})
    def post(self, request):
        data = SyncInput(data=request.data)
        data.is_valid(raise_exception=True)
        results = services.sync_events_apply(
            actor=request.user,
            device_id=data.validated_data["device"],
            events=data.validated_data["events"],
            request=request,
        )
        return Response({"results": results})


class RejectedEventViewSet(SafeLookupMixin, viewsets.ReadOnlyModelViewSet):
    """Refused events: a driver's own; all of them for supervisors."""

    serializer_class = RejectedEventSerializer
    permission_classes = [IsAuthenticated]
    filterset_fields = ["code", "event_type", "user", "device"]

    def get_queryset(self):
        qs = selectors.rejected_event_list(user=self.request.user)
        if self.request.query_params.get("open") in ("1", "true"):
            qs = qs.filter(resolved_at__isnull=True)
        return qs
