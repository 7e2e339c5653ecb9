from apps.audit.master_data import MasterDataViewSet
from apps.depots import selectors, services
from apps.depots.filters import EquipmentFilter
from apps.depots.serializers import CylinderTypeSerializer, DepotSerializer, EquipmentSerializer, VehicleSerializer


class DepotViewSet(MasterDataViewSet):
    serializer_class = DepotSerializer
    selector = staticmethod(selectors.depot_list)
    filterset_fields = ["is_active"]
    search_fields = ["code", "name", "address"]

    def service_create(self, *, actor, data):
        return services.depot_create(actor=actor, data=data)

    def service_update(self, *, actor, instance, data):
        return services.depot_update(actor=actor, depot=instance, data=data)


class VehicleViewSet(MasterDataViewSet):
    serializer_class = VehicleSerializer
    selector = staticmethod(selectors.vehicle_list)
    filterset_fields = ["is_active", "home_depot"]
    search_fields = ["plate_number"]

    def service_create(self, *, actor, data):
        return services.vehicle_create(actor=actor, data=data)

    def service_update(self, *, actor, instance, data):
        return services.vehicle_update(actor=actor, vehicle=instance, data=data)


class CylinderTypeViewSet(MasterDataViewSet):
    serializer_class = CylinderTypeSerializer
    selector = staticmethod(selectors.cylinder_type_list)
    filterset_fields = ["is_active"]
    search_fields = ["sku", "name"]

    def service_create(self, *, actor, data):
        return services.cylinder_type_create(actor=actor, data=data)

    def service_update(self, *, actor, instance, data):
        return services.cylinder_type_update(actor=actor, cylinder_type=instance, data=data)


class EquipmentViewSet(MasterDataViewSet):
    """Serialised assets and where each one is (``location``/``state``, kept
    by the stock posting service); ``?due_within_days=30``: retest due within
    30 days, overdue ones included. ``/api/equipment/<id>/history/``: its moves."""

    serializer_class = EquipmentSerializer
    selector = staticmethod(selectors.equipment_list)
    filterset_class = EquipmentFilter
    search_fields = ["serial_number"]
    lookup_value_regex = r"[0-9a-fA-F-]{32,36}"

    def service_create(self, *, actor, data):
        return services.equipment_create(actor=actor, data=data)

    def service_update(self, *, actor, instance, data):
        return services.equipment_update(actor=actor, equipment=instance, data=data)
