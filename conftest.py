"""Shared fixtures. State is built through the services so balances, ledger
and audit log stay true in tests too."""

from dataclasses import dataclass, field

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken


def pytest_report_header(config):
    from django.conf import settings

    db = settings.DATABASES["default"]
    return f"database backend: {db['ENGINE'].rsplit('.', 1)[-1]} ({db.get('HOST') or db['NAME']})"


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()  # throttling state must not leak between tests
    yield
    cache.clear()


@dataclass
class World:
    depot: object
    depot2: object
    vehicle: object
    vehicle2: object
    types: list
    customers: list
    users: dict = field(default_factory=dict)

    @property
    def gas(self):  # the 12.7 kg type, the common case
        return self.types[0]


def build_world(stock: int = 100) -> World:
    from decimal import Decimal

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


@pytest.fixture
def world(db) -> World:
    return build_world()


class KeyedAPIClient(APIClient):
    """Sends a fresh Idempotency-Key with every POST, as real clients must
    (document-creating POSTs answer 428 without one). A test passing its own
    ``HTTP_IDEMPOTENCY_KEY`` keeps it; ``HTTP_IDEMPOTENCY_KEY=None`` sends none."""

    def post(self, path, data=None, format=None, content_type=None, follow=False, **extra):
        import uuid

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


@pytest.fixture
def api():
    return api_client_for


def pytest_configure(config):
    from django.conf import settings

    # `make test` and CI must run the suite with the test settings (fast hasher,
    # file SQLite for the thread tests), never a run mode leaking in from the shell.
    assert settings.SETTINGS_MODULE == "config.settings.test", settings.SETTINGS_MODULE


@pytest.fixture
def auditor(world):
    """The read-only auditor (world.users["auditor"])."""
    return world.users["auditor"]
