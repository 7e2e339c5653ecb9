from apps.audit.master_data import MasterDataViewSet
from apps.customers.selectors import customer_list
from apps.customers.serializers import CustomerSerializer


class CustomerViewSet(MasterDataViewSet):
    serializer_class = CustomerSerializer
    selector = staticmethod(customer_list)
    filterset_fields = ["is_active", "payment_terms", "kind", "postal_code"]
    search_fields = ["code", "name", "site_address", "postal_code", "uen"]
    ordering_fields = ["code", "name"]
