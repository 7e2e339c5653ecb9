from apps.audit.master_data import MasterDataViewSet
from apps.customers.selectors import customer_list
from apps.customers.serializers import CustomerSerializer
from apps.customers.services import customer_create, customer_update


class CustomerViewSet(MasterDataViewSet):
    serializer_class = CustomerSerializer
    selector = staticmethod(customer_list)
    filterset_fields = ["is_active", "payment_terms", "kind", "postal_code"]
    search_fields = ["code", "name", "site_address", "postal_code", "uen"]
    ordering_fields = ["code", "name"]

    def service_create(self, *, actor, data):
        return customer_create(actor=actor, data=data)

    def service_update(self, *, actor, instance, data):
        return customer_update(actor=actor, customer=instance, data=data)
