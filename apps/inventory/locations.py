"""Finding (and creating on first use) the ledger location of a depot,
vehicle or customer, and the three virtual locations."""

from django.db import IntegrityError, transaction

from apps.inventory.enums import LocationKind
from apps.inventory.models import Location

_OWNER_FIELD: dict[str, str] = {
    LocationKind.DEPOT: "depot",
    LocationKind.VEHICLE: "vehicle",
    LocationKind.CUSTOMER: "customer",
}


def _owned_location(kind: str, owner) -> Location:
    field = _OWNER_FIELD[kind]
    related = type(owner).location.related  # the owner's side of Location.<field>
    if related.is_cached(owner) and (known := related.get_cached_value(owner)) is not None:
        return known  # read with its owner (select_related("location")): no query
    found = Location.objects.filter(**{field: owner}).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            # by id: the owner object is not told (only a query's select_related
            # tells it, for that request; a test's object outlives rollbacks)
            return Location.objects.create(kind=kind, name=str(owner)[:200], **{f"{field}_id": owner.pk})
    except IntegrityError:
        return Location.objects.get(**{field: owner})


def location_for_depot(depot) -> Location:
    return _owned_location(LocationKind.DEPOT, depot)


def location_for_vehicle(vehicle) -> Location:
    return _owned_location(LocationKind.VEHICLE, vehicle)


def location_for_customer(customer) -> Location:
    return _owned_location(LocationKind.CUSTOMER, customer)


def virtual_location(kind: str) -> Location:
    """The single PLANT / ADJUSTMENT / WRITE_OFF location (made by migration)."""
    return Location.objects.filter(kind=kind, is_virtual=True).order_by("id").first() or Location.objects.create(
        kind=kind, name=LocationKind(kind).label, is_virtual=True
    )
