"""One e-mail end to end: queued by the API, picked up from the local Redis by
a real Celery worker (a subprocess), sent to a real SMTP server on loopback
(aiosmtpd), attachment read back from the received message."""

import email
import io
import os
import socket
import subprocess
import sys
import time
import uuid
from email import policy
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from pypdf import PdfReader

from apps.core.testing.processes import worker_database_url
from apps.finance.enums import EmailStatus
from apps.finance.models import EmailLog
from apps.finance.tests.helpers import credit_customer, cylinders, days_ago, invoice_on, key, load_vehicle

ROOT = Path(__file__).resolve().parents[3]
REDIS_URL = os.environ.get("FINANCE_TEST_REDIS_URL", "redis://127.0.0.1:6379/9")


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.rcpt_tos, envelope.content))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp():
    inbox = Inbox()
    with socket.socket() as probe:  # a free loopback port
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


@pytest.fixture
def celery_on_redis(settings):
    """This process sends to a queue of its own on Redis; the worker reads it."""
    from config.celery import app

    queue = f"finance-test-{uuid.uuid4().hex[:8]}"
    saved = (app.conf.task_always_eager, app.conf.broker_url, app.conf.task_default_queue)
    app.conf.task_always_eager = False
    app.conf.broker_url = REDIS_URL
    app.conf.task_default_queue = queue
    _fresh_producer(app)  # routing and queues are cached on first use (eager tasks ran before)
    yield app, queue
    app.conf.task_always_eager, app.conf.broker_url, app.conf.task_default_queue = saved
    _fresh_producer(app)


def _fresh_producer(app) -> None:
    app.__dict__.pop("amqp", None)
    app._pool = None


@pytest.mark.django_db(transaction=True)
def test_invoice_mail_through_celery_worker_and_smtp(world, api, smtp, celery_on_redis, tmp_path):
    inbox, port = smtp
    app, queue = celery_on_redis
    load_vehicle(world, quantity=10)
    customer = credit_customer(world.customers[0], email="ap@ahsengeatinghouse.example")
    invoice = invoice_on(world, days_ago(3), customer=customer, lines=cylinders(world, 7, type_index=2))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": worker_database_url(),
        "CELERY_BROKER_URL": REDIS_URL,
        "EMAIL_URL": f"smtp://127.0.0.1:{port}",
        "MEDIA_ROOT": str(tmp_path),
    }
    log_file = tmp_path / "worker.log"
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo", "-Q", queue, "--without-heartbeat",
         "--without-gossip", "--without-mingle", "-l", "INFO"],
        cwd=ROOT, env=env, stdout=log_file.open("w"), stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        answer = api(world.users["finance"]).post(f"/api/invoices/{invoice.pk}/email/", {}, format="json",
                                                  HTTP_IDEMPOTENCY_KEY=key())  # fmt: skip
        assert answer.status_code == 202, answer.content
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and not inbox.messages:
            time.sleep(0.3)
        assert inbox.messages, log_file.read_text()[-3000:]
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    ((rcpts, raw),) = inbox.messages
    assert rcpts == ["ap@ahsengeatinghouse.example"]
    message = email.message_from_bytes(raw, policy=policy.default)
    assert invoice.number in message["Subject"]
    (attachment,) = list(message.iter_attachments())
    assert attachment.get_filename() == f"{invoice.number}.pdf"
    pdf = attachment.get_content()
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert invoice.number in text and "701.96" in text  # 7 x 92.00 = 644.00 + 57.96 GST
    deadline = time.monotonic() + 10
    log = EmailLog.objects.get()
    while log.status != EmailStatus.SENT and time.monotonic() < deadline:
        time.sleep(0.2)
        log.refresh_from_db()
    assert (log.status, log.attempts) == (EmailStatus.SENT, 1)
