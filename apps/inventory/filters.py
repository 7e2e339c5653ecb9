import django_filters
from django.db.models import Q

from apps.core.filters import UTCIsoDateTimeFilter
from apps.inventory.enums import CylinderState, MovementType
from apps.inventory.models import StockBalance, StockMove


class StockBalanceFilter(django_filters.FilterSet):
    location = django_filters.NumberFilter(field_name="location_id", min_value=1, max_value=2**63 - 1)
    depot = django_filters.NumberFilter(field_name="location__depot_id", min_value=1, max_value=2**63 - 1)
    vehicle = django_filters.NumberFilter(field_name="location__vehicle_id", min_value=1, max_value=2**63 - 1)
    customer = django_filters.NumberFilter(field_name="location__customer_id", min_value=1, max_value=2**63 - 1)
    cylinder_type = django_filters.NumberFilter(field_name="cylinder_type_id", min_value=1, max_value=2**63 - 1)

    class Meta:
        model = StockBalance
        fields = ["location", "depot", "vehicle", "customer", "cylinder_type"]


class StockMoveFilter(django_filters.FilterSet):
    location = django_filters.NumberFilter(method="filter_location", min_value=1, max_value=2**63 - 1)
    movement_type = django_filters.ChoiceFilter(choices=MovementType.choices)
    state = django_filters.ChoiceFilter(choices=CylinderState.choices)
    cylinder_type = django_filters.NumberFilter(field_name="cylinder_type_id", min_value=1, max_value=2**63 - 1)
    document_type = django_filters.CharFilter()
    document_id = django_filters.NumberFilter(min_value=1, max_value=2**63 - 1)
    recorded_from = UTCIsoDateTimeFilter(field_name="recorded_at", lookup_expr="gte")
    recorded_to = UTCIsoDateTimeFilter(field_name="recorded_at", lookup_expr="lt")

    class Meta:
        model = StockMove
        fields = ["location", "movement_type", "state", "cylinder_type", "document_type", "document_id"]

    def filter_location(self, queryset, name, value):
        return queryset.filter(Q(from_location_id=value) | Q(to_location_id=value))
