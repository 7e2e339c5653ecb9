import django_filters

from apps.billing.enums import InvoiceStatus
from apps.billing.models import Invoice


class InvoiceFilter(django_filters.FilterSet):
    customer = django_filters.NumberFilter(field_name="customer_id", min_value=1, max_value=2**63 - 1)
    status = django_filters.ChoiceFilter(choices=InvoiceStatus.choices)
    issued_from = django_filters.DateFilter(field_name="issue_date", lookup_expr="gte")
    issued_to = django_filters.DateFilter(field_name="issue_date", lookup_expr="lte")
    supplied_from = django_filters.DateFilter(field_name="supply_date", lookup_expr="gte")
    supplied_to = django_filters.DateFilter(field_name="supply_date", lookup_expr="lte")

    class Meta:
        model = Invoice
        fields = ["customer", "status", "issued_from", "issued_to", "supplied_from", "supplied_to"]
