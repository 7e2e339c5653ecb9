"""The broker (Redis) down when a write queues its background task (issue 26,
the failure drill's scenario b): the write was committed, so it answers 201;
the task that could not be queued is logged. A real broker failure: Celery
publishes to a Redis URL where nothing listens (no mock of Celery or kombu)."""

import logging
import uuid

import pytest
from kombu import pools as kombu_pools

from apps.billing.tests.helpers import delivery_body, load_vehicle
from apps.deliveries.models import Delivery
from config.celery import app


@pytest.fixture
def broker_down(settings):
    settings.BILLING_RENDER_PDF_ON_ISSUE = True
    conf = app.conf
    saved = {k: conf[k] for k in ("task_always_eager", "broker_url", "task_publish_retry_policy")}
    conf.update(
        task_always_eager=False,
        broker_url="redis://127.0.0.1:1/0",  # nothing listens there: connection refused
        task_publish_retry_policy={"max_retries": 1, "interval_start": 0, "interval_step": 0.1},
    )
    _new_pools()
    yield
    conf.update(saved)
    _new_pools()


def _new_pools() -> None:
    """Celery keeps its connection and producer pools, and kombu keeps the
    producer pools in a process-wide registry keyed by the broker URL: all
    closed and forgotten, or the next test's task finds its broker's pool
    closed ("Acquire on closed pool") and is never queued."""
    if app._pool is not None:
        app._pool.force_close_all()
    app._pool = None
    app.amqp._producer_pool = None
    kombu_pools.reset()


@pytest.mark.django_db
def test_a_delivery_is_201_with_the_broker_down_and_the_unqueued_pdf_is_logged(
    world, api, broker_down, caplog, django_capture_on_commit_callbacks
):
    load_vehicle(world, quantity=10)
    before = Delivery.objects.count()
    with (
        caplog.at_level(logging.ERROR, logger="apps.core.background"),
        django_capture_on_commit_callbacks(execute=True) as callbacks,
    ):
        response = api(world.users["driver"]).post(
            "/api/deliveries/", delivery_body(world), format="json", HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4())
        )
    assert response.status_code == 201, response.content[:300]
    assert Delivery.objects.count() == before + 1
    assert callbacks  # the task was to be queued after the commit
    assert any("invoice_render_pdf" in r.getMessage() and "not queued" in r.getMessage() for r in caplog.records)
