"""factory-boy factories for master data. Stock is never made here: tests
build stock through the services (see conftest's ``world``)."""

from decimal import Decimal

import factory

from apps.accounts.models import User
from apps.customers.models import Customer
from apps.depots.models import CylinderType, Depot, Vehicle


class DepotFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Depot

    code = factory.Sequence(lambda n: f"D{n:03d}")
    name = factory.Sequence(lambda n: f"Depot {n}")
    address = factory.Sequence(lambda n: f"{n} Tuas Avenue, Singapore")
    postal_code = "637019"
    latitude = Decimal("1.300000")
    longitude = Decimal("103.650000")


class VehicleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Vehicle

    plate_number = factory.Sequence(lambda n: f"XA{n:04d}Z")
    home_depot = factory.SubFactory(DepotFactory)


class CylinderTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CylinderType

    sku = factory.Sequence(lambda n: f"CYL-{n}")
    name = factory.Sequence(lambda n: f"Cylinder {n}")
    weight_kg = Decimal("12.70")
    list_price = Decimal("24.99")


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    code = factory.Sequence(lambda n: f"C{n:05d}")
    name = factory.Sequence(lambda n: f"Customer {n} Pte Ltd")
    site_address = factory.Sequence(lambda n: f"Blk {n} Bedok North Street 4 #01-{n:02d}")
    postal_code = "460085"
    uen = factory.Sequence(lambda n: f"2020{n:05d}K")
    latitude = Decimal("1.332520")
    longitude = Decimal("103.938590")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    name = factory.Sequence(lambda n: f"User {n}")
    role = "driver"
    password = factory.PostGenerationMethodCall("set_password", "pass-12345")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()
