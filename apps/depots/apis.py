from apps.audit.master_data import MasterDataViewSet
from apps.depots import selectors
from apps.depots.serializers import CylinderTypeSerializer, DepotSerializer, EquipmentSerializer, VehicleSerializer


class DepotViewSet(MasterDataViewSet):
    serializer_class = DepotSerializer
    selector = staticmethod(selectors.depot_list)
    filterset_fields = ["is_active"]
    search_fields = ["code", "name", "address"]


class VehicleViewSet(MasterDataViewSet):
    serializer_class = VehicleSerializer
    selector = staticmethod(selectors.vehicle_list)
    filterset_fields = ["is_active", "home_depot"]
    search_fields = ["plate_number"]


class CylinderTypeViewSet(MasterDataViewSet):
    serializer_class = CylinderTypeSerializer
    selector = staticmethod(selectors.cylinder_type_list)
    filterset_fields = ["is_active"]
    search_fields = ["sku", "name"]


class EquipmentViewSet(MasterDataViewSet):
    serializer_class = EquipmentSerializer
    selector = staticmethod(selectors.equipment_list)
    filterset_fields = ["status", "ownership", "depot", "cylinder_type"]
    search_fields = ["serial_number"]
    lookup_value_regex = r"[0-9a-fA-F-]{32,36}"
