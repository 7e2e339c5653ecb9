import json

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response

from apps.core.api import SafeLookupMixin
from apps.core.commands import command_create
from apps.core.db import retry_on_conflict
from apps.core.permissions import roles
from apps.deliveries import selectors, services
from apps.deliveries.commands import DELIVERY_CREATE
from apps.deliveries.filters import DeliveryFilter
from apps.deliveries.serializers import AttachmentUploadSerializer, DeliverySerializer
from apps.distribution.apis import OPERATIONS


class _ImageRenderer(BaseRenderer):
    """Lets clients ask for the image itself; errors still go out as JSON bytes."""

    charset = None

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data if isinstance(data, bytes) else json.dumps(data).encode()


class PngRenderer(_ImageRenderer):
    media_type, format = "image/png", "png"


class JpegRenderer(_ImageRenderer):
    media_type, format = "image/jpeg", "jpg"


class ReplayableBody:
    """The request body as the upload service reads it (once, capped), kept so
    that a whole-request retry after a deadlock (``retry_on_conflict``) reads
    the same bytes again instead of an exhausted stream."""

    def __init__(self, raw):
        self.raw, self.data = raw, None

    def read(self, size: int = -1, /) -> bytes:
        if self.data is None:
            self.data = self.raw.read(size)
        return self.data if size < 0 else self.data[:size]

    @classmethod
    def of(cls, request) -> "ReplayableBody":
        if not hasattr(request, "_lpg_upload_body"):
            request._lpg_upload_body = cls(request._request)
        return request._lpg_upload_body


IMAGE_BODY = {"image/png": OpenApiTypes.BINARY, "image/jpeg": OpenApiTypes.BINARY}


class DeliveryViewSet(SafeLookupMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Deliveries at customer sites, each with its tax invoice and proof of delivery."""

    serializer_class = DeliverySerializer
    permission_classes = [roles(*OPERATIONS)]
    filterset_class = DeliveryFilter
    search_fields = ["invoice__number"]
    ordering_fields = ["id", "occurred_at", "created_at"]

    def get_queryset(self):
        return selectors.delivery_list(user=self.request.user)

    create = command_create(DELIVERY_CREATE)

    def finalize_response(self, request, response, *args, **kwargs):
        """Errors are JSON even when the client asked for an image."""
        response = super().finalize_response(request, response, *args, **kwargs)
        if response.status_code >= 400 and isinstance(getattr(response, "accepted_renderer", None), _ImageRenderer):
            response.accepted_renderer = JSONRenderer()
            response.accepted_media_type = "application/json"
        return response

    @extend_schema(
        methods=["PUT"],
        request=IMAGE_BODY,
        responses={
            (201, "application/json"): AttachmentUploadSerializer,
            (200, "application/json"): AttachmentUploadSerializer,
        },
        description=(
            "Upload the bytes of a signature (image/png) or photo (image/jpeg) declared by its SHA-256 "
            "in the delivery's proof. 201 stored, 200 already there (same bytes)."
        ),
    )
    @extend_schema(
        methods=["GET"],
        responses={(200, "image/png"): OpenApiResponse(OpenApiTypes.BINARY), (200, "image/jpeg"): OpenApiTypes.BINARY},
        description="The uploaded bytes (404 attachment_not_uploaded before the upload).",
    )
    @action(
        detail=True,
        methods=["get", "put"],
        url_path=r"attachments/(?P<sha256>[^/]{1,128})",
        url_name="attachment",
        renderer_classes=[JSONRenderer, PngRenderer, JpegRenderer],
    )
    @retry_on_conflict
    def attachment(self, request, pk=None, sha256=None):
        if request.method == "PUT":
            attachment, created = services.attachment_upload(
                actor=request.user,
                delivery_id=int(pk),
                sha256=sha256,
                content_type=request.META.get("CONTENT_TYPE", ""),
                source=ReplayableBody.of(request),
                content_length=request.META.get("CONTENT_LENGTH"),
            )
            return Response(
                AttachmentUploadSerializer(attachment).data,
                status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
            )
        found = selectors.attachment_for_reading(user=request.user, delivery_id=int(pk), sha256=sha256)
        if found is None:
            raise services.AttachmentNotDeclared()
        if not found.uploaded:
            raise services.AttachmentNotUploaded()
        try:
            with found.file.open("rb") as fh:
                data = fh.read()
        except OSError:  # lost from the storage: the phone (or the office) uploads it again
            raise services.AttachmentNotUploaded("The file is missing from the storage; upload it again.") from None
        response = HttpResponse(data, content_type=found.content_type)
        response["Cache-Control"] = "private, max-age=31536000, immutable"  # content-addressed, never changes
        return response
