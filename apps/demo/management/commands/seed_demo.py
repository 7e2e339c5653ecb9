"""Idempotent demo data: depots, trucks (racks, load limits, shifts, a driver
each), cylinder types (tare weights, a cylinder deposit rate each), 68
customers across Singapore with their receiving hours and some contract
prices, one user per role, opening stock recorded as RECEIPT documents in the
ledger; then a real day: about 60 orders for today made through the orders
service, planned by the dispatch planner, and each truck loaded at its depot
with its load sheet. A serialised 45 kg type's cylinders are placed through
the real posting service (a receipt into the depot, a load onto the first
driver's truck, a delivery to the first customer), never by writing their
positions.

Run again the same day, it changes nothing; on a later day (the database
kept) it adds that day's orders, plan and loads."""

import random
from datetime import date, timedelta
from decimal import Decimal

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from apps.accounts.models import User
from apps.audit.audited import row_create
from apps.billing.models import CustomerPrice, DepositRate
from apps.billing.services import customer_price_create, deposit_rate_create
from apps.customers.models import ContactInvite, Customer
from apps.customers.services import contact_invite, customer_update
from apps.deliveries.services import CylinderLine, delivery_create
from apps.demo import demo_data as demo
from apps.depots.models import CylinderType, Depot, Equipment, Vehicle, VehicleCapacity
from apps.depots.services import cylinder_type_update, equipment_create, vehicle_update
from apps.dispatch.models import DispatchPlan, LoadSheetLine
from apps.dispatch.planning import at
from apps.dispatch.services import dispatch_plan
from apps.distribution.services import DistributionLine, distribution_create
from apps.inventory.enums import MovementType, StockDocumentKind
from apps.inventory.locations import location_for_customer, location_for_depot, location_for_vehicle
from apps.inventory.models import StockBalance, StockDocument
from apps.inventory.services import StockDocumentLine, stock_document_create
from apps.orders.services import order_create

OPENING_REFERENCE = "OPENING-STOCK"


class Command(BaseCommand):
    help = "Load realistic demo data and plan today (safe to run again: nothing is duplicated)."

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
                sku=sku,
                defaults={"name": name, "weight_kg": weight, "list_price": price, "tare_kg": demo.TARE_KG[sku]},
            )
        for code, (name, profile, address, postal, lat, lng, terms, days, uen) in self._customers().items():
            n = int(code[1:])
            customer, _ = Customer.objects.get_or_create(
                code=code,
                defaults={
                    "name": name, "kind": "HOUSEHOLD" if profile == "household" else "COMMERCIAL",
                    "site_address": address, "postal_code": postal,
                    "latitude": Decimal(lat), "longitude": Decimal(lng), "payment_terms": terms,
                    "credit_term_days": days, "uen": uen, "phone": f"+65 6{n:03d} {1000 + n * 7:04d}",
                    "email": f"orders{n}@customer.example" if profile != "household" else "",
                    "receiving_from": demo.HOURS[profile][0], "receiving_until": demo.HOURS[profile][1],
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
                    is_staff=role in ("admin", "supervisor", "depot_staff", "finance", "auditor"),
                    is_superuser=role == "admin",
                )  # fmt: skip
            users.setdefault(role, user)  # the first of each role
            users[email] = user
        sku, name, weight, price = demo.SERIALISED_TYPE  # before the deposit rates: it takes one too
        CylinderType.objects.get_or_create(
            sku=sku,
            defaults={
                "name": name,
                "weight_kg": weight,
                "list_price": price,
                "serialised": True,
                "tare_kg": demo.TARE_KG[sku],
            },
        )
        admin = users["admin"]
        self._trucks(admin, vehicles)
        self._dispatch_data(admin)
        deposits_from = date.fromisoformat(demo.DEPOSITS_FROM)
        for cylinder_type in CylinderType.objects.order_by("id"):  # every type, also those added after this list
            if not DepositRate.objects.filter(cylinder_type=cylinder_type, valid_from=deposits_from).exists():
                amount = demo.DEPOSIT_RATES.get(cylinder_type.sku, demo.DEFAULT_DEPOSIT)
                deposit_rate_create(
                    actor=admin,
                    data={"cylinder_type": cylinder_type, "valid_from": deposits_from, "amount": amount},
                )
        self._contract_prices(admin, types)
        for code, stock in demo.OPENING_STOCK.items():
            if StockDocument.objects.filter(reference=f"{OPENING_REFERENCE}-{code}").exists():
                continue
            stock_document_create(
                actor=admin,
                kind=StockDocumentKind.RECEIPT,
                depot=depots[code],
                reference=f"{OPENING_REFERENCE}-{code}",
                reason="Opening stock",
                lines=[{"cylinder_type": types[sku], "quantity": qty} for sku, qty in stock.items()],
            )
        today = timezone.localdate()
        plan = self._day(today, users, types)
        self._load(plan, users)
        # After the day's loads: a collection today marks a truck as out, which
        # the planner would have started from the time of the seed.
        self._serialised(types, depots, vehicles, users)
        self._contact(users)
        self._report(today)

    @staticmethod
    def _contact(users: dict[str, User]) -> None:
        """The customer app's demo login: invited by the office through
        ``contact_invite`` as a real contact is, its password set here and
        the invite marked used in the same transaction (so no e-mail goes out)."""
        email, name, code = demo.CONTACT
        customer = Customer.objects.filter(code=code).first()
        if customer is None or User.objects.filter(email=email).exists():
            return
        with transaction.atomic():
            invite = contact_invite(actor=users["admin"], customer=customer, email=email, name=name)
            user = invite.contact.user
            user.set_password(demo.DEMO_PASSWORD)
            user.save(update_fields=["password"])
            ContactInvite.objects.filter(pk=invite.pk).update(used_at=timezone.now())

    @staticmethod
    def _customers() -> dict[str, tuple]:
        """Every demo customer by code: CUSTOMERS (C0001 ...), then the
        households and commercial customers added for the demo day."""
        rows = []
        for name, kind, address, postal, lat, lng, terms, days, uen in demo.CUSTOMERS:
            profile = "household" if kind == "HOUSEHOLD" else "restaurant"
            if name in demo.INDUSTRIAL:
                profile = "industrial"
            rows.append((name, profile, address, postal, lat, lng, terms, days, uen))
        rows += [(name, "household", a, p, lat, lng, "CASH", 0, "") for name, a, p, lat, lng in demo.MORE_HOUSEHOLDS]
        rows += demo.MORE_COMMERCIAL
        return {f"C{i:04d}": row for i, row in enumerate(rows, start=1)}

    def _trucks(self, admin: User, vehicles: dict[str, Vehicle]) -> None:
        """Racks, load limit and shift per truck, set once (an admin's later
        edits stay): through the audited master-data services."""
        types = {t.sku: t for t in CylinderType.objects.all()}
        for plate, vehicle in vehicles.items():
            if VehicleCapacity.objects.filter(vehicle=vehicle).exists():
                continue
            max_load, racks = demo.VEHICLE_LIMITS[demo.VEHICLE_SIZES[plate]]
            vehicle_update(
                actor=admin,
                vehicle=vehicle,
                data={"max_load_kg": max_load, "shift_start": demo.SHIFT[0], "shift_end": demo.SHIFT[1]},
            )
            for sku, qty in racks.items():
                if sku in types:
                    row_create(
                        actor=admin,
                        model=VehicleCapacity,
                        data={"vehicle": vehicle, "cylinder_type": types[sku], "max_qty": qty},
                    )

    def _dispatch_data(self, admin: User) -> None:
        """What a database seeded before dispatch lacks: tare weights and
        receiving hours, filled in where still empty."""
        for cylinder_type in CylinderType.objects.filter(tare_kg=0, sku__in=demo.TARE_KG):
            cylinder_type_update(
                actor=admin, cylinder_type=cylinder_type, data={"tare_kg": demo.TARE_KG[cylinder_type.sku]}
            )
        for code, row in self._customers().items():
            opens, closes = demo.HOURS[row[1]]
            if opens is None:
                continue
            customer = Customer.objects.filter(code=code, receiving_from=None, receiving_until=None).first()
            if customer is not None:
                customer_update(
                    actor=admin, customer=customer, data={"receiving_from": opens, "receiving_until": closes}
                )

    def _contract_prices(self, admin: User, types: dict[str, CylinderType]) -> None:
        valid_from = date.fromisoformat(demo.CONTRACTS_FROM)
        for name, prices in demo.CONTRACT_PRICES.items():
            customer = Customer.objects.filter(name=name).first()
            if customer is None:
                continue
            for sku, price in prices.items():
                if not CustomerPrice.objects.filter(
                    customer=customer, cylinder_type=types[sku], valid_from=valid_from
                ).exists():
                    customer_price_create(
                        actor=admin,
                        data={
                            "customer": customer,
                            "cylinder_type": types[sku],
                            "valid_from": valid_from,
                            "price": price,
                        },
                    )

    def _day(self, day: date, users: dict[str, User], types: dict[str, CylinderType]) -> DispatchPlan | None:
        """The day's orders, drawn with the day as the seed, made by the
        supervisor through ``order_create``, then planned. A day that has a
        plan already is left as it is (run again, or planned by hand)."""
        if DispatchPlan.objects.filter(date=day).exists():
            return DispatchPlan.objects.filter(date=day).order_by("-version").first()
        supervisor = users["supervisor"]
        rng = random.Random(day.toordinal())
        by_profile: dict[str, list[Customer]] = {profile: [] for profile in demo.DAY_ORDERS}
        customers = {c.code: c for c in Customer.objects.filter(is_active=True)}
        for code, row in self._customers().items():
            customer = customers.get(code)
            if customer is not None and customer.name not in demo.DAY_SKIP:
                by_profile[row[1]].append(customer)
        chosen = []
        for profile, count in demo.DAY_ORDERS.items():
            chosen += [(profile, c) for c in rng.sample(by_profile[profile], min(count, len(by_profile[profile])))]
        chosen.sort(key=lambda pc: pc[1].code)
        urgent = set(rng.sample(range(len(chosen)), min(demo.DAY_URGENT, len(chosen))))
        for i, (profile, customer) in enumerate(chosen):
            skus, fewest, most = demo.DAY_LINES[profile]
            total, main = rng.randint(fewest, most), rng.choice(skus)
            counts = {main: total}  # one type mostly; some restaurants take a few of the other too
            if total > 2 and len(skus) > 1 and rng.random() < 0.3:
                other = rng.randint(1, total - 1)
                counts = {main: total - other, next(s for s in skus if s != main): other}
            lines = [{"cylinder_type": types[sku], "quantity": qty} for sku, qty in counts.items() if qty]
            order_create(
                actor=supervisor,
                customer=customer,
                scheduled_for=day,
                lines=lines,
                notes="Urgent: nearly out of gas" if i in urgent else "",
                urgent=i in urgent,
            )
        # planned as the dispatcher would at 06:00, before the trucks leave, whenever the demo is started
        return dispatch_plan(actor=supervisor, day=day, as_of=at(day, 6 * 3600))

    def _load(self, plan: DispatchPlan | None, users: dict[str, User]) -> None:
        """Each planned truck leaves its depot with its load sheet: the depot
        counter records one distribution per truck, collecting what is
        missing and returning fulls left from an earlier day that today's
        sheet does not need (serialised cylinders stay aboard). A buffer that
        would overfill a rack is loaded as far as the rack holds."""
        if plan is None:
            return
        racks = {(r.vehicle_id, r.cylinder_type_id): r.max_qty for r in VehicleCapacity.objects.all()}
        sheets: dict[int, dict[int, int]] = {}
        for line in LoadSheetLine.objects.filter(plan=plan):
            room = racks.get((line.vehicle_id, line.cylinder_type_id), line.to_load)
            sheets.setdefault(line.vehicle_id, {})[line.cylinder_type_id] = max(line.ordered, min(line.to_load, room))
        clerks = {u.depot_id: u for u in User.objects.filter(role="depot_staff", is_active=True).order_by("id")}
        drivers = {u.vehicle_id: u for u in User.objects.filter(role="driver", is_active=True).order_by("-id")}
        serialised = set(CylinderType.objects.filter(serialised=True).values_list("id", flat=True))
        types = {t.pk: t for t in CylinderType.objects.all()}
        for vehicle in Vehicle.objects.filter(pk__in=sheets).select_related("home_depot").order_by("id"):
            sheet = sheets[vehicle.pk]
            aboard = dict(
                StockBalance.objects.filter(location__vehicle=vehicle).values_list("cylinder_type_id", "full_qty")
            )
            items = []
            for type_id in sorted(set(sheet) | set(aboard)):
                if type_id in serialised:
                    continue
                diff = sheet.get(type_id, 0) - aboard.get(type_id, 0)
                if diff:
                    movement = MovementType.COLLECTION if diff > 0 else MovementType.FULL_RETURN
                    items.append(DistributionLine(vehicle.home_depot, types[type_id], abs(diff), movement))
            if items:
                distribution_create(
                    actor=clerks.get(vehicle.home_depot_id, users["supervisor"]),
                    vehicle=vehicle,
                    driver=drivers.get(vehicle.pk),
                    items=items,
                )

    def _report(self, day: date) -> None:
        plan = DispatchPlan.objects.filter(date=day).order_by("-version").first()
        self.stdout.write(self.style.SUCCESS(f"Demo data ready. Sign in with any of (password {demo.DEMO_PASSWORD}):"))
        for email, _name, role, _d, plate in demo.USERS:
            self.stdout.write(f"  {role:12} {email}" + (f"  (truck {plate})" if plate else ""))
        if User.objects.filter(email=demo.CONTACT[0]).exists():
            self.stdout.write(f"  {'customer':12} {demo.CONTACT[0]}  (the customer app, /app/customer/)")
        if plan is not None:
            self.stdout.write(
                f"Today ({day}): plan v{plan.version}, {plan.orders_planned} orders on {plan.trucks_used} trucks, "
                f"{plan.orders_unassigned} left out, {plan.total_km} km ({plan.engine}, {plan.solve_ms} ms)."
            )

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
        driver = users[demo.SERIALS_DRIVER]
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
