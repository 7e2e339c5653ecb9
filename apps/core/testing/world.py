"""The shared test world, built through the services so balances, ledger and
audit log stay true in tests too, and API clients that sign in as its users."""

import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken


@dataclass
class World:
    depot: Any
    depot2: Any
    vehicle: Any
    vehicle2: Any
    types: list
    customers: list
    users: dict = field(default_factory=dict)

    @property
    def gas(self):  # the 12.7 kg type, the common case
        return self.types[0]


def build_world(stock: int = 100) -> World:
    """Two depots (one vehicle each homed at the first), three cylinder types,
    three customers, one user per role (``driver`` on ``vehicle``, ``driver2``
    on ``vehicle2``, ``depot_staff`` at ``depot``) and ``stock`` fulls of
    every type received at both depots."""
    from apps.core.tests.factories import (
        CustomerFactory,
        CylinderTypeFactory,
        DepotFactory,
        UserFactory,
        VehicleFactory,
    )
    from apps.inventory.enums import StockDocumentKind
    from apps.inventory.services import stock_document_create

    depot, depot2 = DepotFactory(), DepotFactory()
    vehicle, vehicle2 = VehicleFactory(home_depot=depot), VehicleFactory(home_depot=depot)
    types = [
        CylinderTypeFactory(name="12.7 kg", weight_kg=Decimal("12.70"), list_price=Decimal("24.99")),
        CylinderTypeFactory(name="14 kg", weight_kg=Decimal("14.00"), list_price=Decimal("27.50")),
        CylinderTypeFactory(name="50 kg", weight_kg=Decimal("50.00"), list_price=Decimal("92.00")),
    ]
    customers = [CustomerFactory() for _ in range(3)]
    users = {
        "admin": UserFactory(role="admin", is_staff=True, is_superuser=True),
        "supervisor": UserFactory(role="supervisor", is_staff=True),
        "depot_staff": UserFactory(role="depot_staff", depot=depot, is_staff=True),
        "driver": UserFactory(role="driver", vehicle=vehicle, depot=depot),
        "driver2": UserFactory(role="driver", vehicle=vehicle2, depot=depot),
        "finance": UserFactory(role="finance", is_staff=True),
        "auditor": UserFactory(role="auditor", is_staff=True),
    }
    if stock:
        for d in (depot, depot2):
            stock_document_create(
                actor=users["admin"],
                kind=StockDocumentKind.RECEIPT,
                depot=d,
                reason="opening",
                lines=[{"cylinder_type": t, "quantity": stock} for t in types],
            )
    return World(depot, depot2, vehicle, vehicle2, types, customers, users)


class KeyedAPIClient(APIClient):
    """Sends a fresh Idempotency-Key with every POST, as real clients must
    (document-creating POSTs answer 428 without one). A test passing its own
    ``HTTP_IDEMPOTENCY_KEY`` keeps it; ``HTTP_IDEMPOTENCY_KEY=None`` sends none."""

    def post(self, path, data=None, format=None, content_type=None, follow=False, **extra):
        extra.setdefault("HTTP_IDEMPOTENCY_KEY", str(uuid.uuid4()))
        if extra["HTTP_IDEMPOTENCY_KEY"] is None:
            del extra["HTTP_IDEMPOTENCY_KEY"]
        return super().post(path, data=data, format=format, content_type=content_type, follow=follow, **extra)


def api_client_for(user) -> APIClient:
    """A client carrying a real JWT access token for ``user`` (and a fresh
    Idempotency-Key on every POST, see ``KeyedAPIClient``)."""
    client = KeyedAPIClient()
    if user is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(user).access_token}")
    return client
