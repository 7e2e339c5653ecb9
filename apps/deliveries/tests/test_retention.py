"""PDPA retention (docs/customers.md, "Personal data"): proof images deleted
and GPS fixes cleared after PERSONAL_DATA_RETENTION_DAYS; the hashes, the
invoice, the ledger and the audit stay; the append-only triggers allow this
purge and nothing more."""

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from apps.audit.enums import AuditAction
from apps.audit.models import AuditLog
from apps.billing.tests.helpers import deliver, load_vehicle
from apps.deliveries.models import DeliveryAttachment, DeliveryProof
from apps.deliveries.services import attachment_upload, personal_data_purge
from apps.deliveries.tests.proof_helpers import sha, signature_png

pytestmark = pytest.mark.django_db

SIGNATURE = signature_png()
OLD_SIGNATURE = signature_png(width=401, height=151, seed=5)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def _delivery(world, *, days_ago: int, signature: bytes):
    delivery = deliver(
        world,
        occurred_at=timezone.now() - timedelta(days=days_ago),
        proof={"recipient_name": "Mdm Lim", "signature_sha256": sha(signature),
               "latitude": "1.352083", "longitude": "103.819836", "accuracy_m": "8.5"},
    )  # fmt: skip
    attachment_upload(actor=world.users["driver"], delivery_id=delivery.pk, sha256=sha(signature),
                      content_type="image/png", source=io.BytesIO(signature))  # fmt: skip
    return delivery


@pytest.fixture
def two(world):
    """A delivery 20 days old and one of 2 days; the purge runs as if
    PERSONAL_DATA_RETENTION_DAYS - 10 days had passed (cut-off: 10 days ago)."""
    load_vehicle(world, quantity=20)
    old = _delivery(world, days_ago=20, signature=OLD_SIGNATURE)
    recent = _delivery(world, days_ago=2, signature=SIGNATURE)
    return old, recent


def later(settings):
    return timezone.now() + timedelta(days=settings.PERSONAL_DATA_RETENTION_DAYS - 10)


def _state(delivery):
    proof = DeliveryProof.objects.get(delivery=delivery)
    attachment = DeliveryAttachment.objects.get(delivery=delivery)
    return proof, attachment


def test_old_proofs_are_purged_recent_kept_hash_and_audit_kept(world, two, settings, capsys):
    old, recent = two
    _, before = _state(old)
    stored = before.file.name
    assert default_storage.exists(stored)
    audits = AuditLog.objects.count()

    result = personal_data_purge(now=later(settings))
    assert (result.proofs, result.attachments, result.files_missing) == (1, 1, 0)

    proof, attachment = _state(old)
    assert (proof.latitude, proof.longitude, proof.accuracy_m) == (None, None, None) and proof.purged_at
    assert proof.recipient_name == "Mdm Lim"  # evidence of receipt, kept with the invoice
    assert attachment.file.name == "" and attachment.purged_at and not default_storage.exists(stored)
    assert attachment.sha256 == sha(OLD_SIGNATURE) and attachment.uploaded_at and attachment.size
    kept_proof, kept = _state(recent)
    assert kept_proof.latitude == Decimal("1.352083") and kept_proof.purged_at is None
    assert kept.purged_at is None and default_storage.exists(kept.file.name)
    # the invoice, the delivery's audit row: untouched; one system audit row with the counts
    assert old.invoice.number and AuditLog.objects.filter(entity_id=str(old.pk), action="delivery.created").exists()
    purge = AuditLog.objects.get(action=AuditAction.PERSONAL_DATA_PURGED)
    assert purge.user_id is None and purge.after["attachments_deleted"] == 1
    assert purge.after["proofs_gps_cleared"] == 1
    assert AuditLog.objects.count() == audits + 1
    call_command("check_media")  # a purged image is not "missing"
    assert "Media complete" in capsys.readouterr().out


def test_dry_run_changes_nothing_and_a_second_run_is_a_no_op(world, two, settings):
    old, _ = two
    audits = AuditLog.objects.count()
    dry = personal_data_purge(now=later(settings), dry_run=True)
    assert (dry.proofs, dry.attachments, dry.dry_run) == (1, 1, True)
    proof, attachment = _state(old)
    assert proof.purged_at is None and proof.latitude is not None and default_storage.exists(attachment.file.name)
    assert AuditLog.objects.count() == audits

    personal_data_purge(now=later(settings))
    again = personal_data_purge(now=later(settings))
    assert (again.proofs, again.attachments) == (0, 0)
    assert AuditLog.objects.filter(action=AuditAction.PERSONAL_DATA_PURGED).count() == 1


def test_the_command(world, two, settings, capsys):
    settings.PERSONAL_DATA_RETENTION_DAYS = 10  # cut-off: 10 days ago
    call_command("purge_personal_data", "--dry-run")
    assert "Would purge: 1 proof image(s), 1 GPS fix(es)" in capsys.readouterr().out
    call_command("purge_personal_data")
    assert "Purged: 1 proof image(s), 1 GPS fix(es)" in capsys.readouterr().out
    assert DeliveryProof.objects.filter(purged_at__isnull=False).count() == 1


def _raw_update(table: str, sql_set: str, pk: int) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET {sql_set} WHERE id = %s", [pk])


@pytest.mark.parametrize(
    "table, sql_set",
    [
        # the purge with anything else changed, or a purge that keeps the data, is refused
        ("deliveries_deliveryproof", "purged_at = CURRENT_TIMESTAMP, latitude = NULL, longitude = NULL, "
                                     "accuracy_m = NULL, recipient_name = 'someone else'"),
        ("deliveries_deliveryproof", "purged_at = CURRENT_TIMESTAMP"),
        ("deliveries_deliveryproof", "latitude = NULL, longitude = NULL, accuracy_m = NULL"),
        ("deliveries_deliveryattachment", "purged_at = CURRENT_TIMESTAMP, file = '', sha256 = 'x'"),
        ("deliveries_deliveryattachment", "purged_at = CURRENT_TIMESTAMP"),
    ],
)  # fmt: skip
def test_the_triggers_allow_the_purge_and_nothing_more(world, two, table, sql_set):
    old, _ = two
    proof, attachment = _state(old)
    pk = proof.pk if table.endswith("proof") else attachment.pk
    with pytest.raises(DatabaseError):
        _raw_update(table, sql_set, pk)


def test_a_purged_row_never_changes_again(world, two, settings):
    old, _ = two
    personal_data_purge(now=later(settings))
    proof, attachment = _state(old)
    with pytest.raises(DatabaseError):
        _raw_update("deliveries_deliveryproof", "latitude = 1.3", proof.pk)
    with pytest.raises(DatabaseError):
        _raw_update("deliveries_deliveryproof", "purged_at = NULL", proof.pk)
    with pytest.raises(DatabaseError):
        _raw_update("deliveries_deliveryattachment", "file = 'deliveries/back.png'", attachment.pk)
    with pytest.raises(DatabaseError):
        _raw_update("deliveries_deliveryproof", "purged_at = CURRENT_TIMESTAMP", proof.pk)
