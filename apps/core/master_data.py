"""Master data endpoints: list/retrieve for every signed-in user (scoped by the
selector), create/update for admins. Nothing is deleted: deactivate instead."""

from django.db import transaction
from rest_framework import mixins, viewsets

from apps.accounts.permissions import ReadAnyWriteAdmin
from apps.audit.enums import AuditAction
from apps.audit.services import audit_record
from apps.core.api import SafeLookupMixin
from apps.core.db import retry_on_conflict


class MasterDataViewSet(
    SafeLookupMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    permission_classes = [ReadAnyWriteAdmin]
    selector = None  # callable(user=...) -> QuerySet

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

    def perform_create(self, serializer):
        instance = serializer.save()
        self._audit(instance, None, serializer.data)

    def perform_update(self, serializer):
        before = type(serializer)(serializer.instance).data
        instance = serializer.save()
        self._audit(instance, before, serializer.data)

    def _audit(self, instance, before, after) -> None:
        audit_record(
            action=AuditAction.MASTER_DATA_CHANGED,
            user=self.request.user,
            entity_type=instance._meta.label_lower,
            entity_id=instance.pk,
            before=before,
            after=after,
            request=self.request,
        )
