"""E-mails a lost task left QUEUED (issue 26, docs/operations.md "Failure
drill" e): a worker sending claims the log, so a redelivered copy or the
sweep's never sends beside it; the sweep queues again only what is overdue."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.mail.backends import locmem
from django.test import override_settings
from django.utils import timezone

from apps.finance import services
from apps.finance.enums import EmailStatus
from apps.finance.models import EmailLog
from apps.finance.tests.helpers import credit_customer, cylinders, days_ago, invoice_on, load_vehicle

pytestmark = pytest.mark.django_db


@pytest.fixture
def invoice(world, settings):
    settings.FINANCE_EMAIL_SWEEP_GRACE = 120
    settings.FINANCE_EMAIL_CLAIM_SECONDS = 300
    settings.FINANCE_EMAIL_RETRY_BASE_SECONDS = 60
    load_vehicle(world, quantity=20)
    customer = credit_customer(world.customers[0], days=30, email="accounts@kopitiam-7.example")
    return invoice_on(world, days_ago(3), customer=customer, lines=cylinders(world, 7))


def _log(invoice, world, **fields) -> EmailLog:
    log = EmailLog.objects.create(kind="INVOICE", invoice=invoice, customer=invoice.customer,
                                  to_address=invoice.customer.email, subject=f"Tax invoice {invoice.number}",
                                  requested_by=world.users["finance"])  # fmt: skip
    if fields:
        EmailLog.objects.filter(pk=log.pk).update(**fields)
        log.refresh_from_db()
    return log


def test_a_log_claimed_by_a_live_worker_is_not_sent_by_a_second_copy(invoice, world):
    log = _log(invoice, world, sending_since=timezone.now() - timedelta(seconds=40), attempts=1)
    services.email_attempt(log_id=log.pk, final=False)  # the redelivered task, while the first still sends
    log.refresh_from_db()
    assert mail.outbox == [] and (log.status, log.attempts) == (EmailStatus.QUEUED, 1)


def test_a_claim_left_by_a_killed_worker_expires_and_the_sweep_sends_it_once(invoice, world):
    now = timezone.now()
    log = _log(invoice, world, sending_since=now - timedelta(seconds=301), attempts=1,
               last_attempt_at=now - timedelta(seconds=301), queued_at=now - timedelta(seconds=302))  # fmt: skip
    assert services.email_sweep() == [log.pk]  # queued and (eager here) sent
    log.refresh_from_db()
    assert (log.status, log.attempts, log.sending_since) == (EmailStatus.SENT, 2, None)
    assert len(mail.outbox) == 1 and mail.outbox[0].attachments[0][0] == f"{invoice.number}.pdf"
    assert services.email_sweep() == []  # SENT: never again
    services.email_attempt(log_id=log.pk, final=False)  # nor by the task redelivered an hour later
    assert len(mail.outbox) == 1


def test_the_sweep_leaves_what_is_not_yet_overdue(invoice, world):
    now = timezone.now()
    fresh = _log(invoice, world)  # its own task was queued after commit a moment ago
    # failed twice: its retry (120 s after the 2nd attempt) is the task's own for the grace after that
    backing_off = _log(invoice, world, attempts=2, last_error="SMTPServerDisconnected",
                       queued_at=now - timedelta(minutes=10), last_attempt_at=now - timedelta(seconds=200))  # fmt: skip
    overdue = _log(invoice, world, attempts=2, last_error="SMTPServerDisconnected",
                   queued_at=now - timedelta(minutes=10), last_attempt_at=now - timedelta(seconds=250))  # fmt: skip
    claimed = _log(invoice, world, attempts=1, sending_since=now - timedelta(seconds=20),
                   queued_at=now - timedelta(minutes=10), last_attempt_at=now - timedelta(seconds=20))  # fmt: skip
    failed = _log(invoice, world, status=EmailStatus.FAILED, queued_at=now - timedelta(hours=3))
    assert services.email_sweep(now=now) == [overdue.pk]
    assert EmailLog.objects.get(pk=overdue.pk).status == EmailStatus.SENT and len(mail.outbox) == 1
    assert services.email_sweep(now=now + timedelta(seconds=45)) == [backing_off.pk]
    later = now + timedelta(minutes=10)
    assert services.email_sweep(now=later) == [fresh.pk, claimed.pk]  # the claim has expired by then
    # ... by the sweep's clock; the attempt reads the real one, where the claim still holds
    assert EmailLog.objects.get(pk=claimed.pk).status == EmailStatus.QUEUED
    assert EmailLog.objects.get(pk=failed.pk).status == EmailStatus.FAILED
    assert [m.to[0] for m in mail.outbox] == [invoice.customer.email] * 3


def test_a_copy_queued_by_the_sweep_after_the_last_retry_fails_for_good(invoice, world, settings):
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                                    "OPTIONS": {"host": "127.0.0.1", "port": 9, "timeout": 2}}}  # fmt: skip
    log = _log(invoice, world, attempts=settings.FINANCE_EMAIL_MAX_RETRIES + 1)
    with pytest.raises(OSError):
        services.email_attempt(log_id=log.pk, final=False)  # the sweep's copy starts at retries 0
    log.refresh_from_db()
    assert log.status == EmailStatus.FAILED and log.sending_since is None and log.failed_at


class WorkerKilled(BaseException):
    """What SIGKILL is to the task: nothing after it runs (not an Exception, so
    no except clause records anything)."""


class AcceptedThenKilled(locmem.EmailBackend):
    """The mail server takes the message, then the worker dies before SENT is recorded."""

    def send_messages(self, messages):
        super().send_messages(messages)
        raise WorkerKilled


def test_a_worker_killed_after_the_server_took_the_message_resends_it_with_the_same_message_id(invoice, world):
    log = _log(invoice, world)
    killed = {"default": {"BACKEND": f"{__name__}.AcceptedThenKilled"}}
    with override_settings(MAILERS=killed), pytest.raises(WorkerKilled):
        services.email_attempt(log_id=log.pk, final=False)
    log.refresh_from_db()
    assert (log.status, log.attempts) == (EmailStatus.QUEUED, 1) and log.sending_since and log.message_id
    later = timezone.now() + timedelta(seconds=301)  # the claim has expired by the sweep's clock
    EmailLog.objects.filter(pk=log.pk).update(sending_since=timezone.now() - timedelta(seconds=301))
    assert services.email_sweep(now=later) == [log.pk]
    log.refresh_from_db()
    assert (log.status, log.attempts) == (EmailStatus.SENT, 2)
    # handed over twice (the one window SMTP leaves), as one message: the same Message-ID
    first, second = mail.outbox
    assert first.extra_headers["Message-ID"] == second.extra_headers["Message-ID"] == log.message_id
    assert log.message_id.startswith("<") and log.message_id.endswith(">")
    assert first.message()["Message-ID"] == log.message_id
