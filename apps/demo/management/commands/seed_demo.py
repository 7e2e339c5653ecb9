"""Idempotent demo data: depots, trucks, cylinder types (each with a cylinder
deposit rate), 30 customers, one user per role, and opening stock recorded as
RECEIPT documents in the ledger."""

from datetime import date
from decimal import Decimal

from django.core.management.base import BaseCommand
from django.db import transaction

from apps.accounts.models import User
from apps.billing.models import DepositRate
from apps.billing.services import deposit_rate_create
from apps.customers.models import Customer
from apps.demo import demo_data as demo
from apps.depots.models import CylinderType, Depot, Vehicle
from apps.inventory.enums import StockDocumentKind
from apps.inventory.locations import location_for_customer, location_for_depot, location_for_vehicle
from apps.inventory.models import StockDocument
from apps.inventory.services import stock_document_create

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
        self.stdout.write(self.style.SUCCESS(f"Demo data ready. Sign in with any of (password {demo.DEMO_PASSWORD}):"))
        for email, _name, role, _d, _v in demo.USERS:
            self.stdout.write(f"  {role:12} {email}")
