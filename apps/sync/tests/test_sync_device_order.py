"""One device's batches are applied one after the other (a named lock per
device: GET_LOCK on MariaDB/MySQL, an advisory lock on PostgreSQL, a process
lock on SQLite): a batch that arrives while another of the same device is
still being applied waits for it, and past SYNC_DEVICE_WAIT is answered 503
``device_busy`` with nothing recorded; another device is never held up."""

import threading

import pytest
from django.db import connection

from apps.core.locks import named_lock
from apps.core.models import IdempotencyRecord
from apps.distribution.models import DistributionHeader
from apps.sync.models import RejectedEvent
from apps.sync.tests.signing import PhoneKey, collection_payload, register_device

pytestmark = pytest.mark.django_db


def sync(client, device, events):
    return client.post("/api/sync/", {"device": device, "events": events}, format="json")


class Holder:
    """Another request of ``device`` in the middle of its batch: the lock
    held from another thread (its own database connection)."""

    def __init__(self, device: str):
        self.name = f"lpg-sync-device-{device}"
        self.held, self.release, self.taken = threading.Event(), threading.Event(), None
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self):
        try:
            with named_lock(self.name, wait=5) as taken:
                self.taken = taken
                self.held.set()
                self.release.wait(20)
        finally:
            self.held.set()
            connection.close()

    def __enter__(self):
        self.thread.start()
        assert self.held.wait(20) and self.taken
        return self

    def __exit__(self, *exc):
        self.release.set()
        self.thread.join(20)


def test_a_batch_of_a_device_that_is_busy_is_refused_whole_then_applies(world, api, settings):
    settings.SYNC_DEVICE_WAIT = 0.3
    client, key = api(world.users["driver"]), PhoneKey()
    device = register_device(client, key)
    events = [key.event("distribution.create", collection_payload(world, quantity=q)) for q in (3, 7)]
    before = DistributionHeader.objects.count()
    with Holder(device):
        res = sync(client, device, events)
        assert res.status_code == 503, res.content
        assert res.json()["code"] == "device_busy"
        assert DistributionHeader.objects.count() == before
        assert not IdempotencyRecord.objects.filter(key__in=[e["id"] for e in events]).exists()
        assert not RejectedEvent.objects.exists()
    res = sync(client, device, events)  # the phone sends it again once the other batch is done
    assert res.status_code == 200
    assert [r["status"] for r in res.json()["results"]] == ["applied", "applied"]
    assert DistributionHeader.objects.count() == before + 2


def test_another_device_is_not_held_up(world, api, settings):
    settings.SYNC_DEVICE_WAIT = 0.3
    client = api(world.users["driver"])
    busy, free = PhoneKey(), PhoneKey()
    busy_device, free_device = register_device(client, busy), register_device(client, free, name="Spare phone")
    with Holder(busy_device):
        res = sync(client, free_device, [free.event("distribution.create", collection_payload(world))])
    assert res.status_code == 200 and [r["status"] for r in res.json()["results"]] == ["applied"]


def test_a_waiting_batch_goes_on_when_the_other_finishes_within_the_wait(world, api, settings):
    settings.SYNC_DEVICE_WAIT = 10
    client, key = api(world.users["driver"]), PhoneKey()
    device = register_device(client, key)
    with Holder(device) as holder:
        threading.Timer(0.5, holder.release.set).start()  # the other batch ends after 0.5 s
        res = sync(client, device, [key.event("distribution.create", collection_payload(world))])
    assert res.status_code == 200 and [r["status"] for r in res.json()["results"]] == ["applied"]
