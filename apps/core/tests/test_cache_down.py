"""The throttles with their cache away (apps.core.throttling): the cache is a
real RedisCache pointed at a port where nothing listens, so every count is a
refused connection, as with the production Redis stopped (failure drill b).
Sync, token refresh and the customer's export go on uncounted; sign-in is 503
``throttle_unavailable`` and records nothing; none of it is a 500."""

import logging
import socket
from contextlib import contextmanager

import pytest
from django.core.cache import cache
from django.test import override_settings
from rest_framework.test import APIClient

from apps.audit.models import AuditLog
from apps.core.background import sweep_enqueue
from apps.core.testing.world import api_client_for
from apps.core.tests.factories import UserFactory
from apps.distribution.models import DistributionHeader
from apps.portal.tests.helpers import make_contact
from apps.sync.tests.signing import PhoneKey, collection_payload, register_device

pytestmark = pytest.mark.django_db
PASSWORD = "pass-12345"


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # closed again on leaving: nothing listens there


@contextmanager
def redis_away():
    location = f"redis://127.0.0.1:{closed_port()}/1"
    options = {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}
    with override_settings(
        CACHES={"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": location,
                            "OPTIONS": options}}
    ):  # fmt: skip
        with pytest.raises(Exception, match="(?i)connect"):
            cache.get("probe")  # it really is away
        yield


@pytest.fixture
def cache_down():
    with redis_away():
        yield


def test_sync_goes_on_uncounted_while_the_cache_is_away(world, cache_down, caplog):
    client, key = api_client_for(world.users["driver"]), PhoneKey()
    device = register_device(client, key)
    events = [key.event("distribution.create", collection_payload(world, quantity=q)) for q in (7, 3)]
    with caplog.at_level(logging.WARNING, logger="apps.core.throttling"):
        res = client.post("/api/sync/", {"device": device, "events": events}, format="json")
    assert res.status_code == 200, res.content
    assert [r["status"] for r in res.json()["results"]] == ["applied", "applied"]
    assert DistributionHeader.objects.count() == 2
    assert any("SyncRateThrottle not counted" in r.getMessage() for r in caplog.records)


def test_sign_in_is_503_throttle_unavailable_and_records_nothing(world, cache_down):
    user = UserFactory(email="late.driver@example.com", password=PASSWORD)
    res = APIClient().post("/api/auth/token/", {"email": user.email, "password": PASSWORD}, format="json")
    assert res.status_code == 503
    assert res.json()["code"] == "throttle_unavailable" and "try again" in res.json()["detail"]
    # no sign-in, no failed sign-in (the request itself is in the request log, api.request)
    assert not AuditLog.objects.filter(action__startswith="auth.").exists()


def test_a_token_refresh_goes_on_while_the_cache_is_away(world):
    user = UserFactory(email="refresh.driver@example.com", password=PASSWORD)
    tokens = APIClient().post("/api/auth/token/", {"email": user.email, "password": PASSWORD}, format="json")
    assert tokens.status_code == 200  # signed in before the cache went away
    with redis_away():
        res = APIClient().post("/api/auth/token/refresh/", {"refresh": tokens.json()["refresh"]}, format="json")
        assert res.status_code == 200 and res.json()["access"]
        again = APIClient().post("/api/auth/token/refresh/", {"refresh": tokens.json()["refresh"]}, format="json")
        assert again.status_code == 401  # the rotation still holds: one refresh token, one new pair


def test_the_customers_export_goes_on_and_a_password_change_waits(world, cache_down):
    contact = make_contact(world, world.customers[0], "mdm.lim@example.com")
    client = api_client_for(contact)
    assert client.get("/api/customer/me/export/").status_code == 200
    change = client.post(
        "/api/me/password/", {"old_password": "x", "new_password": "another-long-pass-9"}, format="json"
    )
    assert change.status_code == 503 and change.json()["code"] == "throttle_unavailable"


class Recorder:
    """A task as a sweep sees it: a name and ``delay``."""

    name = "apps.test.render"

    def __init__(self):
        self.calls = []

    def delay(self, *args):
        self.calls.append(args)


def test_a_sweep_queues_a_call_once_per_row_state_and_anyway_with_the_cache_away(settings):
    settings.SWEEP_REQUEUE_SECONDS = 600
    task = Recorder()
    assert sweep_enqueue(task, 5, state=(0, None)) is True
    assert sweep_enqueue(task, 5, state=(0, None)) is False  # the worker may still be behind: not again
    assert sweep_enqueue(task, 5, state=(1, None)) is True  # the row moved on (attempted): due again
    assert sweep_enqueue(task, 6) is True
    cache.clear()  # the window passed (the marker expired): a task lost again is queued again
    assert sweep_enqueue(task, 5, state=(0, None)) is True
    with redis_away():
        assert sweep_enqueue(task, 6) is True and sweep_enqueue(task, 6) is True  # idempotent tasks: queue
    assert task.calls == [(5,), (5,), (6,), (5,), (6,), (6,)]
