"""Master data endpoints: list/retrieve for every signed-in user (scoped by the
selector), create/update for admins. Nothing is deleted: deactivate instead.

Thin: the input serializer validates, one service writes (atomic, audited:
the same service the Django admin calls), the serializer renders the row."""

from typing import Any

from django.db import transaction
from rest_framework import mixins, viewsets

from apps.core.api import SafeLookupMixin
from apps.core.db import retry_on_conflict
from apps.core.permissions import ReadAnyWriteAdmin


class MasterDataViewSet(
    SafeLookupMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    permission_classes = [ReadAnyWriteAdmin]
    selector: Any = None  # callable(user=...) -> QuerySet

    def get_queryset(self):
        return type(self).selector(user=self.request.user)

    # One transaction per write (the row and its audit record), re-run whole on a deadlock.
    @retry_on_conflict
    @transaction.atomic
    def create(self, request, *args, **kwargs):
        return super().create(request, *args, **kwargs)

    @retry_on_conflict
    @transaction.atomic
    def update(self, request, *args, **kwargs):
        return super().update(request, *args, **kwargs)

    @retry_on_conflict
    @transaction.atomic
    def partial_update(self, request, *args, **kwargs):
        return super().partial_update(request, *args, **kwargs)

    def service_create(self, *, actor, data):
        raise NotImplementedError

    def service_update(self, *, actor, instance, data):
        raise NotImplementedError

    def perform_create(self, serializer):
        serializer.instance = self.service_create(actor=self.request.user, data=serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = self.service_update(
            actor=self.request.user, instance=serializer.instance, data=serializer.validated_data
        )
