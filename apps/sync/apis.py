from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.api import SafeLookupMixin
from apps.core.db import retry_on_conflict
from apps.core.permissions import roles
from apps.core.roles import Role
from apps.sync import selectors, services
from apps.sync.serializers import (
    DeviceInput,
    DeviceRevokeInput,
    DeviceSerializer,
    RejectedEventResolveInput,
    RejectedEventRetryOutput,
    RejectedEventSerializer,
    SyncErrorSerializer,
    SyncInput,
    SyncOutput,
)
from apps.sync.throttles import SyncRateThrottle

REVIEWERS = roles(Role.ADMIN, Role.SUPERVISOR)


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

    @extend_schema(
        request=DeviceInput,
        responses={
            201: DeviceSerializer,
            200: OpenApiResponse(DeviceSerializer, description="This user's key was already registered: that device."),
            409: OpenApiResponse(
                SyncErrorSerializer, description="public_key_in_use (another user's key) or public_key_revoked."
            ),
        },
    )
    @retry_on_conflict
    def create(self, request, *args, **kwargs):
        data = DeviceInput(data=request.data)
        data.is_valid(raise_exception=True)
        device = services.device_register(actor=request.user, request=request, **data.validated_data)
        answer = status.HTTP_201_CREATED if device.newly_registered else status.HTTP_200_OK
        return Response(DeviceSerializer(device).data, status=answer)

    @extend_schema(request=DeviceRevokeInput, responses={200: DeviceSerializer})
    @action(detail=True, methods=["post"], permission_classes=[REVIEWERS])
    @retry_on_conflict
    def revoke(self, request, pk=None):
        data = DeviceRevokeInput(data=request.data)
        data.is_valid(raise_exception=True)
        device = services.device_revoke(
            actor=request.user, device=self.get_object(), request=request, **data.validated_data
        )
        return Response(DeviceSerializer(device).data)


class SyncApi(APIView):
    """Signed offline events, applied in order, each at most once."""

    permission_classes = [IsAuthenticated]
    throttle_classes = [SyncRateThrottle]

    @extend_schema(
        request=SyncInput,
        responses={
            200: SyncOutput,
            413: OpenApiResponse(
                SyncErrorSerializer, description="sync_batch_too_large: over SYNC_MAX_EVENTS or SYNC_MAX_BYTES."
            ),
            429: OpenApiResponse(
                SyncErrorSerializer, description="throttled: over the per-user sync rate (SYNC_RATE)."
            ),
        },
    )
    @retry_on_conflict
    def post(self, request):
        services.sync_batch_check_size(content_length=request.META.get("CONTENT_LENGTH"))
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

    @extend_schema(
        request=None,
        responses={
            200: RejectedEventRetryOutput,
            409: OpenApiResponse(SyncErrorSerializer, description="already_resolved"),
        },
    )
    @action(detail=True, methods=["post"], permission_classes=[REVIEWERS])
    @retry_on_conflict
    def retry(self, request, pk=None):
        """Send the stored event again through the sync path, as its driver."""
        rejected = self.get_object()
        outcome = services.rejected_event_retry(actor=request.user, rejected=rejected, request=request)
        return Response({**outcome, "rejected_event": RejectedEventSerializer(rejected).data})

    @extend_schema(
        request=RejectedEventResolveInput,
        responses={
            200: RejectedEventSerializer,
            409: OpenApiResponse(SyncErrorSerializer, description="already_resolved"),
        },
    )
    @action(detail=True, methods=["post"], permission_classes=[REVIEWERS])
    @retry_on_conflict
    def resolve(self, request, pk=None):
        """Close the rejection by hand, with a note on how it was settled."""
        data = RejectedEventResolveInput(data=request.data)
        data.is_valid(raise_exception=True)
        rejected = services.rejected_event_resolve(
            actor=request.user, rejected=self.get_object(), request=request, **data.validated_data
        )
        return Response(RejectedEventSerializer(rejected).data)
