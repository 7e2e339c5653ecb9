"""Idempotent demo data: depots, trucks, cylinder types (each with a cylinder
deposit rate), 30 customers, one user per role, and opening stock recorded as
RECEIPT documents in the ledger; a serialised 45 kg type whose cylinders are
placed through the real posting service (a receipt into the depot, a load onto
the first driver's truck, a delivery to the first customer), never by writing
their positions."""

from datetime import date, timedelta
from decimal import Decimal

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from apps.accounts.models import User
from apps.billing.models import DepositRate
from apps.billing.services import deposit_rate_create
from apps.customers.models import Customer
from apps.deliveries.services import CylinderLine, delivery_create
from apps.demo import demo_data as demo
from apps.depots.models import CylinderType, Depot, Equipment, Vehicle
from apps.depots.services import equipment_create
from apps.distribution.services import DistributionLine, distribution_create
from apps.inventory.enums import MovementType, StockDocumentKind
from apps.inventory.locations import location_for_customer, location_for_depot, location_for_vehicle
from apps.inventory.models import StockDocument
from apps.inventory.services import StockDocumentLine, stock_document_create

OPENING_REFERENCE = "OPENING-STOCK"


class Command(BaseCommand):
    help = "Load realistic demo data (safe to run again: nothing is duplicated)."

    @transaction.atomic
    def handle(self, *args, **options):
        depots = {}
        for code, name, address, postal, lat, lng in demo.DEPOTS:
            depots[code], _ = Depot.objects.get_or_create(
                code=code,
                defaults={
                    "name": name,
                    "address": address,
                    "postal_code": postal,
                    "latitude": Decimal(lat),
                    "longitude": Decimal(lng),
                },
            )
            location_for_depot(depots[code])
        vehicles = {}
        for plate, depot in demo.VEHICLES:
            vehicles[plate], _ = Vehicle.objects.get_or_create(
                plate_number=plate, defaults={"home_depot": depots[depot], "description": "Lorry, 3.5 t"}
            )
            location_for_vehicle(vehicles[plate])
        types = {}
        for sku, name, weight, price in demo.CYLINDER_TYPES:
            types[sku], _ = CylinderType.objects.get_or_create(
                sku=sku, defaults={"name": name, "weight_kg": weight, "list_price": price}
            )
        for i, (name, kind, address, postal, lat, lng, terms, days, uen) in enumerate(demo.CUSTOMERS, start=1):
            customer, _ = Customer.objects.get_or_create(
                code=f"C{i:04d}",
                defaults={
                    "name": name, "kind": kind, "site_address": address, "postal_code": postal,
                    "latitude": Decimal(lat), "longitude": Decimal(lng), "payment_terms": terms,
                    "credit_term_days": days, "uen": uen, "phone": f"+65 6{i:03d} {1000 + i * 7:04d}",
                    "email": f"orders{i}@customer.example" if kind == "COMMERCIAL" else "",
                },
            )  # fmt: skip
            location_for_customer(customer)
        users = {}
        for n, (email, name, role, depot, plate) in enumerate(demo.USERS, start=1):
            user = User.objects.filter(email=email).first()
            if user is None:
                user = User.objects.create_user(
                    email, demo.DEMO_PASSWORD, name=name, role=role, employee_id=f"E{n:04d}",
                    depot=depots.get(depot), vehicle=vehicles.get(plate),
                    is_staff=role in ("admin", "supervisor", "depot_staff", "finance"), is_superuser=role == "admin",
                )  # fmt: skip
            users[role] = user
        sku, name, weight, price = demo.SERIALISED_TYPE  # before the deposit rates: it takes one too
        CylinderType.objects.get_or_create(
            sku=sku, defaults={"name": name, "weight_kg": weight, "list_price": price, "serialised": True}
        )
        deposits_from = date.fromisoformat(demo.DEPOSITS_FROM)
        for cylinder_type in CylinderType.objects.order_by("id"):  # every type, also those added after this list
            if not DepositRate.objects.filter(cylinder_type=cylinder_type, valid_from=deposits_from).exists():
                amount = demo.DEPOSIT_RATES.get(cylinder_type.sku, demo.DEFAULT_DEPOSIT)
                deposit_rate_create(
                    actor=users["admin"],
                    data={"cylinder_type": cylinder_type, "valid_from": deposits_from, "amount": amount},
                )
        for code, stock in demo.OPENING_STOCK.items():
            if StockDocument.objects.filter(reference=f"{OPENING_REFERENCE}-{code}").exists():
                continue
            stock_document_create(
                actor=users["admin"],
                kind=StockDocumentKind.RECEIPT,
                depot=depots[code],
                reference=f"{OPENING_REFERENCE}-{code}",
                reason="Opening stock",
                lines=[{"cylinder_type": types[sku], "quantity": qty} for sku, qty in stock.items()],
            )
        self._serialised(types, depots, vehicles, users)
        self.stdout.write(self.style.SUCCESS(f"Demo data ready. Sign in with any of (password {demo.DEMO_PASSWORD}):"))
        for email, _name, role, _d, _v in demo.USERS:
            self.stdout.write(f"  {role:12} {email}")

    def _serialised(self, types, depots, vehicles, users) -> None:
        sku, name, weight, price = demo.SERIALISED_TYPE
        serialised, _ = CylinderType.objects.get_or_create(
            sku=sku, defaults={"name": name, "weight_kg": weight, "list_price": price, "serialised": True}
        )
        today = timezone.localdate()
        admin = users["admin"]
        home = depots[demo.SERIALISED_DEPOT]
        for n, serial in enumerate(demo.SERIALS):
            if serial == demo.SERIAL_RETEST_OVERDUE:
                due = today - timedelta(days=17)
            elif serial in demo.SERIAL_RETEST_SOON:
                due = today + timedelta(days=demo.SERIAL_RETEST_SOON[serial])
            else:
                due = today + timedelta(days=400 + 37 * n)
            if not Equipment.objects.filter(serial_number=serial).exists():
                equipment_create(
                    actor=admin,
                    data={
                        "serial_number": serial,
                        "cylinder_type": serialised,
                        "depot": home,
                        "next_inspection_due": due,
                    },
                )
        reference = f"{OPENING_REFERENCE}-{sku}"
        if StockDocument.objects.filter(reference=reference).exists():
            return  # placed already
        stock_document_create(
            actor=admin,
            kind=StockDocumentKind.RECEIPT,
            depot=home,
            reference=reference,
            reason="Opening stock (serialised)",
            lines=[StockDocumentLine(serialised, len(demo.SERIALS), serials=tuple(demo.SERIALS))],
        )
        driver = users["driver"]  # the first demo driver
        distribution_create(
            actor=admin,
            vehicle=driver.vehicle,
            driver=driver,
            items=[
                DistributionLine(
                    home,
                    serialised,
                    len(demo.SERIALS_ON_VEHICLE),
                    MovementType.COLLECTION,
                    tuple(demo.SERIALS_ON_VEHICLE),
                )
            ],
        )
        customer = Customer.objects.get(code="C0001")
        delivery_create(
            actor=driver,
            customer=customer,
            vehicle=driver.vehicle,
            payment_method=customer.payment_terms if customer.payment_terms == "CREDIT" else "CASH",
            lines=[
                CylinderLine(
                    serialised,
                    delivered_full=len(demo.SERIALS_AT_CUSTOMER),
                    delivered_serials=tuple(demo.SERIALS_AT_CUSTOMER),
                )
            ],
        )
