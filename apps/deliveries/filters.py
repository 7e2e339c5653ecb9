import django_filters

from apps.deliveries import selectors
from apps.deliveries.models import Delivery


class DeliveryFilter(django_filters.FilterSet):
    missing_uploads = django_filters.BooleanFilter(
        method="filter_missing_uploads", label="Only deliveries with a signature or photo not uploaded yet."
    )

    class Meta:
        model = Delivery
        fields = ["customer", "vehicle", "driver", "missing_uploads"]

    def filter_missing_uploads(self, queryset, name, value):
        if value is None:
            return queryset
        return selectors.with_missing_uploads(queryset, missing=value)
