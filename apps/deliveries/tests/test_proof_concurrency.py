"""The phone retries an upload while the first is still running (a slow
network): the same bytes twice at once store one file, fill the row once,
write one audit row; both answers are success (201 and 200)."""

import pytest

from apps.audit.models import AuditLog
from apps.billing.tests.helpers import deliver, load_vehicle
from apps.core.testing.threads import run_concurrently
from apps.core.testing.world import api_client_for, build_world
from apps.deliveries.models import DeliveryAttachment
from apps.deliveries.tests.proof_helpers import photo_jpeg, put, sha

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.concurrency]


def test_the_same_upload_twice_at_once_fills_the_row_once(settings, tmp_path):
    settings.BILLING_RENDER_PDF_ON_ISSUE = False
    settings.MEDIA_ROOT = tmp_path / "media"
    world = build_world(stock=50)
    load_vehicle(world, quantity=7)
    photo = photo_jpeg(width=1021, height=677, seed=17)
    delivery = deliver(world, proof={"recipient_name": "Kumar", "photo_sha256": [sha(photo)]})
    clients = [api_client_for(world.users["driver"]) for _ in range(4)]

    answers = run_concurrently(lambda i: put(clients[i], delivery.pk, photo, "image/jpeg").status_code, 4)
    assert sorted(answers) == [200, 200, 200, 201], answers
    row = DeliveryAttachment.objects.get(delivery=delivery)
    assert row.uploaded and row.size == len(photo)
    assert [p.name for p in (tmp_path / "media" / "deliveries" / str(delivery.pk)).iterdir()] == [f"{sha(photo)}.jpg"]
    assert AuditLog.objects.filter(action="delivery.attachment_uploaded").count() == 1


def test_a_retried_upload_request_reads_the_same_bytes(settings, tmp_path):
    """A deadlock retry re-runs the whole view (retry_on_conflict): the body is
    read once from the request and replayed, not read from an exhausted stream."""
    import io

    from apps.deliveries.apis import ReplayableBody

    class Request:
        _request = io.BytesIO(b"0123456789")

    request = Request()
    assert ReplayableBody.of(request).read(4) == b"0123"
    assert ReplayableBody.of(request).read(4) == b"0123"  # the retry: the same bytes
    assert ReplayableBody.of(request).read(2) == b"01"
