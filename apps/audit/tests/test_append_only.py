"""Append-only below the ORM: the database itself refuses UPDATE and DELETE on
the audit log and the stock ledger (triggers installed by migrations), on
whichever database the suite runs against."""

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from apps.audit import triggers
from apps.audit.enums import AuditAction
from apps.audit.models import AppendOnlyError, AuditLog
from apps.audit.services import audit_record
from apps.inventory.models import ImmutableError, StockMove


def raw(sql: str, params=()) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def refused(sql: str, params=()) -> None:
    with pytest.raises(DatabaseError) as info, transaction.atomic():
        raw(sql, params)
    assert "append-only" in str(info.value)


@pytest.mark.django_db
def test_triggers_are_installed_for_every_guarded_table():
    for guard in triggers.registered_guards():
        have = triggers.trigger_names(connection, guard.table)
        assert triggers.expected_names(connection.vendor, guard) <= have, (guard.table, have)


@pytest.mark.django_db
def test_raw_sql_cannot_edit_or_delete_an_audit_row():
    row = audit_record(action=AuditAction.LOGIN_FAILED, email="someone@example.com")
    refused("UPDATE audit_auditlog SET user_email = %s WHERE id = %s", ["forged@example.com", row.pk])
    refused("UPDATE audit_auditlog SET row_hash = %s WHERE id = %s", ["0" * 64, row.pk])
    refused("DELETE FROM audit_auditlog WHERE id = %s", [row.pk])
    refused("DELETE FROM audit_auditlog")
    stored = AuditLog.objects.get(pk=row.pk)
    assert stored.user_email == "someone@example.com" and stored.row_hash == row.row_hash


@pytest.mark.django_db
def test_raw_sql_cannot_edit_or_delete_a_stock_move(world):
    move = StockMove.objects.order_by("id").first()
    refused("UPDATE inventory_stockmove SET quantity = quantity + 1 WHERE id = %s", [move.pk])
    refused("DELETE FROM inventory_stockmove WHERE id = %s", [move.pk])
    assert StockMove.objects.get(pk=move.pk).quantity == move.quantity


@pytest.mark.django_db
def test_the_orm_refuses_too(world):
    row = audit_record(action=AuditAction.LOGOUT)
    with pytest.raises(AppendOnlyError):
        AuditLog.objects.filter(pk=row.pk).update(action="x")
    with pytest.raises(AppendOnlyError):
        AuditLog.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        row.save()
    with pytest.raises(ImmutableError):
        StockMove.objects.all().update(quantity=1)


@pytest.mark.django_db(transaction=True)
def test_flush_empties_guarded_tables_and_the_guard_stays_on():
    """pytest-django flushes between transactional tests: under the test
    settings the flush drops the triggers, empties the tables and puts them
    back (apps/audit/triggers.py allow_flush)."""
    audit_record(action=AuditAction.LOGOUT)
    call_command("flush", interactive=False, verbosity=0)
    assert AuditLog.objects.count() == 0
    assert triggers.guard_problems(connection) == []
    row = AuditLog.objects.get(pk=audit_record(action=AuditAction.LOGOUT).pk)  # sealed at once (autocommit)
    assert row.chain_index == 1  # the chain restarts with the emptied log
    refused("DELETE FROM audit_auditlog WHERE id = %s", [row.pk])


@pytest.mark.django_db(transaction=True)
def test_a_dropped_trigger_is_put_back_after_migrate():
    guard = triggers.AUDIT_LOG
    triggers.drop(connection, guard)
    try:
        assert not triggers.expected_names(connection.vendor, guard) & triggers.trigger_names(connection, guard.table)
        call_command("migrate", verbosity=0)
        assert triggers.expected_names(connection.vendor, guard) <= triggers.trigger_names(connection, guard.table)
    finally:
        triggers.ensure_installed(connection)


@pytest.mark.django_db
def test_an_issued_invoice_keeps_its_amounts_and_number_below_the_orm(world):
    from apps.billing.tests.helpers import deliver, load_vehicle

    load_vehicle(world)
    invoice = deliver(world).invoice
    refused("UPDATE billing_invoice SET total = total + 1, subtotal = subtotal + 1 WHERE id = %s", [invoice.pk])
    refused("UPDATE billing_invoice SET number = %s WHERE id = %s", ["INV-FORGED", invoice.pk])
    refused("UPDATE billing_invoice SET supply_date = %s WHERE id = %s", ["2020-01-01", invoice.pk])
    refused("DELETE FROM billing_invoice WHERE id = %s", [invoice.pk])
    with transaction.atomic():  # settlement fields stay writable
        raw("UPDATE billing_invoice SET status = status, pdf_rendered_at = NULL WHERE id = %s", [invoice.pk])
    invoice.refresh_from_db()
    assert invoice.number.startswith("INV-")


@pytest.mark.django_db
def test_raw_sql_cannot_edit_or_delete_a_serials_history(world):
    from apps.inventory.models import EquipmentMove
    from apps.inventory.tests.serial_helpers import serialised_world

    serialised_world(world, count=2)
    move = EquipmentMove.objects.order_by("id").first()
    refused("UPDATE inventory_equipmentmove SET state = 'EMPTY' WHERE id = %s", [move.pk])
    refused("DELETE FROM inventory_equipmentmove WHERE id = %s", [move.pk])
    assert EquipmentMove.objects.get(pk=move.pk).state == "FULL"
