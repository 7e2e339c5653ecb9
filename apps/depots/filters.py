from datetime import timedelta

import django_filters
from django.utils import timezone

from apps.depots.enums import EquipmentState, EquipmentStatus, Ownership
from apps.depots.models import Equipment

ID = {"min_value": 1, "max_value": 2**63 - 1}


class EquipmentFilter(django_filters.FilterSet):
    serial = django_filters.CharFilter(field_name="serial_number", lookup_expr="iexact", max_length=64)
    location = django_filters.NumberFilter(field_name="location_id", **ID)
    cylinder_type = django_filters.NumberFilter(field_name="cylinder_type_id", **ID)
    depot = django_filters.NumberFilter(field_name="depot_id", **ID)
    state = django_filters.ChoiceFilter(choices=EquipmentState.choices)
    status = django_filters.ChoiceFilter(choices=EquipmentStatus.choices)
    ownership = django_filters.ChoiceFilter(choices=Ownership.choices)
    due_within_days = django_filters.NumberFilter(
        method="filter_due_within_days",
        min_value=0,
        max_value=3650,
        label="Retest due within this many days from today (overdue ones included).",
    )

    class Meta:
        model = Equipment
        fields = ["serial", "location", "cylinder_type", "depot", "state", "status", "ownership", "due_within_days"]

    def filter_due_within_days(self, queryset, name, value):
        until = timezone.localdate() + timedelta(days=int(value))
        return queryset.filter(next_inspection_due__lte=until)
