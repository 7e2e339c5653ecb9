import django_filters

from apps.audit.models import AuditLog
from apps.core.filters import UTCIsoDateTimeFilter

MAX_ID = 2**63 - 1


class AuditLogFilter(django_filters.FilterSet):
    action = django_filters.CharFilter(max_length=64)
    entity_type = django_filters.CharFilter(max_length=64)
    entity_id = django_filters.CharFilter(max_length=64)
    user = django_filters.NumberFilter(field_name="user_id", min_value=1, max_value=MAX_ID)
    user_email = django_filters.CharFilter(lookup_expr="iexact", max_length=254)
    created_from = UTCIsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_to = UTCIsoDateTimeFilter(field_name="created_at", lookup_expr="lt")

    class Meta:
        model = AuditLog
        fields = ["action", "entity_type", "entity_id", "user", "user_email"]
