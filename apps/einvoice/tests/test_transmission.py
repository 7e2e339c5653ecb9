"""The outbox against a real HTTP access point on 127.0.0.1: sent once per
document UUID, every attempt audited, timeouts / 500 retried with back-off
up to a bound, a rejection final, a killed worker never sends twice."""

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone

from apps.audit.models import AuditLog
from apps.core.testing.processes import worker_database_url
from apps.einvoice.access_point import HttpAccessPoint, TransientError
from apps.einvoice.enums import DocumentKind, EInvoiceAction, TransmissionStatus
from apps.einvoice.models import Transmission
from apps.einvoice.services import due_transmissions, einvoice_render, transmission_attempt, transmission_refresh
from apps.einvoice.tests.fake_access_point import FakeAccessPoint
from apps.einvoice.tests.helpers import CYL, issue

pytestmark = pytest.mark.django_db


@pytest.fixture
def ap(settings):
    with FakeAccessPoint() as fake:
        settings.EINVOICE_AP_URL = fake.url
        settings.EINVOICE_AP_TIMEOUT_SECONDS = 0.5
        settings.EINVOICE_MAX_ATTEMPTS = 3
        yield fake


def _queued(world) -> Transmission:
    customer = world.customers[0]
    customer.peppol_id = "0195:SGUEN201912399K"
    customer.save(update_fields=["peppol_id"])
    invoice = issue(world, [(CYL, "LPG 12.7 kg refill", "2", "24.99")])
    row = einvoice_render(kind=DocumentKind.INVOICE, document_id=invoice.pk)
    return Transmission.objects.get(einvoice=row)


def _attempts(t) -> int:
    return AuditLog.objects.filter(action=EInvoiceAction.ATTEMPT, entity_id=str(t.pk)).count()


def test_sent_once_and_delivered(world, ap):
    t = _queued(world)
    assert t.status == TransmissionStatus.QUEUED and t.document_uuid == t.einvoice.uuid
    t = transmission_attempt(transmission_id=t.pk)
    assert t.status == TransmissionStatus.SENT and t.ap_reference == f"ap-{t.document_uuid}"
    assert list(ap.received) == [str(t.document_uuid)]
    assert transmission_attempt(transmission_id=t.pk).attempts == 1  # not QUEUED any more: nothing happens
    assert transmission_refresh(transmission_id=t.pk).status == TransmissionStatus.DELIVERED
    assert ap.posts == 1 and _attempts(t) == 1


def test_a_killed_worker_is_retried_without_sending_twice(world, ap):
    """The access point received the XML, then the worker died before
    recording it: the row is still QUEUED; the retry sends the same UUID and
    the access point answers its first result (409) without sending again."""
    t = _queued(world)
    real = HttpAccessPoint.send

    def send_then_die(self, **kwargs):
        real(self, **kwargs)
        raise SystemExit("worker killed")

    with mock.patch.object(HttpAccessPoint, "send", send_then_die), pytest.raises(SystemExit):
        transmission_attempt(transmission_id=t.pk)
    t.refresh_from_db()
    assert t.status == TransmissionStatus.QUEUED and t.attempts == 1
    assert list(due_transmissions(now=timezone.now() + timedelta(days=1))) == [t.pk]
    t = transmission_attempt(transmission_id=t.pk)
    assert t.status == TransmissionStatus.SENT and t.attempts == 2
    assert len(ap.received) == 1 and ap.posts == 2


@pytest.mark.parametrize("mode", ["fail", "hang"])
def test_500_and_timeouts_are_retried_then_failed(world, ap, mode):
    t = _queued(world)
    ap.mode = mode
    for _ in range(3):
        with pytest.raises(TransientError):
            transmission_attempt(transmission_id=t.pk)
    t.refresh_from_db()
    assert t.status == TransmissionStatus.FAILED and t.attempts == 3 and t.last_error
    assert _attempts(t) >= 3
    assert AuditLog.objects.filter(action=EInvoiceAction.FAILED, entity_id=str(t.pk)).count() == 1
    assert transmission_attempt(transmission_id=t.pk).attempts == 3  # bounded: no fourth attempt
    assert ap.received == {}


def test_a_recovery_after_a_500_sends_once(world, ap):
    t = _queued(world)
    ap.mode = "fail"
    with pytest.raises(TransientError):
        transmission_attempt(transmission_id=t.pk)
    t.refresh_from_db()
    assert t.next_attempt_at > timezone.now()  # back-off
    ap.mode = "deliver"
    t = transmission_attempt(transmission_id=t.pk)
    assert t.status == TransmissionStatus.DELIVERED and len(ap.received) == 1


def test_a_rejection_is_final_and_recorded(world, ap):
    t = _queued(world)
    ap.mode = "reject"
    t = transmission_attempt(transmission_id=t.pk)
    assert t.status == TransmissionStatus.REJECTED and "receiver not registered" in t.last_error
    assert AuditLog.objects.filter(action=EInvoiceAction.REJECTED, entity_id=str(t.pk)).exists()
    assert transmission_attempt(transmission_id=t.pk).status == TransmissionStatus.REJECTED


def test_without_an_access_point_nothing_is_queued(world, settings):
    settings.EINVOICE_AP_URL = ""
    customer = world.customers[0]
    customer.peppol_id = "0195:SGUEN201912399K"
    customer.save(update_fields=["peppol_id"])
    row = einvoice_render(kind=DocumentKind.INVOICE, document_id=issue(world, [(CYL, "x", "1", "1.00")]).pk)
    assert not Transmission.objects.filter(einvoice=row).exists()


WORKER = """
import sys, django
django.setup()
from apps.einvoice.tasks import einvoice_transmit
einvoice_transmit(int(sys.argv[1]))
"""


@pytest.mark.django_db(transaction=True)
def test_a_worker_process_killed_mid_send_is_retried_without_sending_twice(world, ap, settings, monkeypatch):
    """A real worker process (the task's body, its own database connection) is
    SIGKILLed while the access point holds the document it has received; the
    row stays QUEUED with the attempt counted and audited; the beat sweep sends
    the same UUID again, and the access point answers its first result."""
    from apps.einvoice import tasks

    queued = []
    monkeypatch.setattr(tasks.einvoice_transmit, "delay", queued.append)  # no in-process (eager) worker
    settings.EINVOICE_ON_ISSUE = False
    t = _queued(world)
    assert queued == [t.pk] and t.status == TransmissionStatus.QUEUED
    ap.mode = "hold"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test", "DATABASE_URL": worker_database_url(),
           "EINVOICE_AP_URL": ap.url, "EINVOICE_AP_TIMEOUT_SECONDS": "60",
           "EINVOICE_RETRY_BASE_SECONDS": "0"}  # fmt: skip
    worker = subprocess.Popen([sys.executable, "-c", WORKER, str(t.pk)], cwd=settings.BASE_DIR, env=env)
    try:
        deadline = time.monotonic() + 60
        while str(t.document_uuid) not in ap.received and worker.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert str(t.document_uuid) in ap.received, f"the worker never reached the access point ({worker.poll()})"
        assert worker.poll() is None  # still waiting for the answer
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=30)
    assert worker.returncode == -signal.SIGKILL
    t.refresh_from_db()
    assert (t.status, t.attempts) == (TransmissionStatus.QUEUED, 1) and _attempts(t) == 1
    ap.mode = "accept"
    tasks.einvoice_sweep()  # beat: the attempt is due
    t.refresh_from_db()
    assert t.status in (TransmissionStatus.SENT, TransmissionStatus.DELIVERED) and t.attempts == 2
    assert list(ap.received) == [str(t.document_uuid)] and ap.posts == 2
    tasks.einvoice_sweep()  # and never again
    assert ap.posts == 2
