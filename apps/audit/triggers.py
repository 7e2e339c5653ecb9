"""Database triggers that make history append-only below the ORM, on SQLite,
MySQL/MariaDB and PostgreSQL. Installed by migrations (apps/audit/migrations)
and re-checked after every ``migrate`` (SQLite drops a table's triggers when a
schema change rebuilds the table).

Flushing: ``manage.py flush`` (and pytest-django between transactional tests)
empties every table. PostgreSQL flushes with TRUNCATE, which fires no row
triggers. SQLite and MySQL flush with DELETE, so the DELETE triggers let a
delete through only while a flush is running: ``allow_flush`` wraps Django's
``execute_sql_flush`` to set a marker first, inside the flush's own
transaction (a row in ``audit_flush_marker`` on SQLite, invisible to other
connections until commit and removed before it; the session variable
``@lpg_flush`` on MySQL, private to the connection). A flush wipes everything
anyway; the marker only gives SQLite/MySQL the TRUNCATE semantics PostgreSQL has.
"""

from dataclasses import dataclass, field

MARKER_TABLE = "audit_flush_marker"


@dataclass(frozen=True)
class Guard:
    table: str
    # Columns whose change is refused; empty = every UPDATE is refused.
    frozen_columns: tuple[str, ...] = field(default=())

    @property
    def name(self) -> str:
        return f"{self.table}_append_only"


AUDIT_LOG = Guard("audit_auditlog")
STOCK_MOVE = Guard("inventory_stockmove")
# Issued invoices: the number, the customer and every amount never change and
# rows are never deleted; status, payments, credits and the PDF may change
# (apps.billing.models.INVOICE_MUTABLE_FIELDS).
INVOICE = Guard(
    "billing_invoice",
    frozen_columns=(
        "number", "customer_id", "customer_name", "customer_address", "customer_postal_code", "customer_uen",
        "issue_date", "due_date", "payment_terms", "payment_method", "currency", "subtotal", "gst_rate",
        "gst_amount", "total", "created_by_id", "created_at",
    ),
)  # fmt: skip


def _msg(guard: Guard, op: str) -> str:
    return f"{guard.table} is append-only: {op} refused"


def _sqlite_update_when(guard: Guard) -> str:
    if not guard.frozen_columns:
        return ""
    changed = " OR ".join(f'OLD."{c}" IS NOT NEW."{c}"' for c in guard.frozen_columns)
    return f" WHEN {changed}"


def sqlite_sql(guard: Guard) -> list[str]:
    return [
        f"CREATE TABLE IF NOT EXISTS {MARKER_TABLE} (id integer PRIMARY KEY)",
        f'CREATE TRIGGER IF NOT EXISTS {guard.name}_upd BEFORE UPDATE ON "{guard.table}"{_sqlite_update_when(guard)} '
        f"BEGIN SELECT RAISE(ABORT, '{_msg(guard, 'UPDATE')}'); END",
        f'CREATE TRIGGER IF NOT EXISTS {guard.name}_del BEFORE DELETE ON "{guard.table}" '  # noqa: S608
        f"WHEN NOT EXISTS (SELECT 1 FROM {MARKER_TABLE}) "
        f"BEGIN SELECT RAISE(ABORT, '{_msg(guard, 'DELETE')}'); END",
    ]


def postgresql_sql(guard: Guard) -> list[str]:
    if guard.frozen_columns:
        changed = " OR ".join(f'OLD."{c}" IS DISTINCT FROM NEW."{c}"' for c in guard.frozen_columns)
        update_check = f"IF TG_OP = 'UPDATE' AND NOT ({changed}) THEN RETURN NEW; END IF;"
    else:
        update_check = ""
    return [
        f"""CREATE OR REPLACE FUNCTION {guard.name}_fn() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  {update_check}
  RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'integrity_constraint_violation';
END $$""",
        f'DROP TRIGGER IF EXISTS {guard.name} ON "{guard.table}"',
        f'CREATE TRIGGER {guard.name} BEFORE UPDATE OR DELETE ON "{guard.table}" '
        f"FOR EACH ROW EXECUTE FUNCTION {guard.name}_fn()",
    ]


def mysql_sql(guard: Guard) -> list[str]:
    if guard.frozen_columns:
        changed = " OR ".join(f"NOT (OLD.`{c}` <=> NEW.`{c}`)" for c in guard.frozen_columns)
        update_body = f"IF {changed} THEN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = '{_msg(guard, 'UPDATE')}'; END IF"
    else:
        update_body = f"SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = '{_msg(guard, 'UPDATE')}'"
    return [
        f"DROP TRIGGER IF EXISTS {guard.name}_upd",
        f"CREATE TRIGGER {guard.name}_upd BEFORE UPDATE ON `{guard.table}` FOR EACH ROW BEGIN {update_body}; END",
        f"DROP TRIGGER IF EXISTS {guard.name}_del",
        f"CREATE TRIGGER {guard.name}_del BEFORE DELETE ON `{guard.table}` FOR EACH ROW BEGIN "
        f"IF @lpg_flush IS NULL THEN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = '{_msg(guard, 'DELETE')}'; END IF; END",
    ]


def install_sql(vendor: str, guard: Guard) -> list[str]:
    return {"sqlite": sqlite_sql, "postgresql": postgresql_sql, "mysql": mysql_sql}[vendor](guard)


def drop_sql(vendor: str, guard: Guard) -> list[str]:
    if vendor == "postgresql":
        return [f'DROP TRIGGER IF EXISTS {guard.name} ON "{guard.table}"', f"DROP FUNCTION IF EXISTS {guard.name}_fn()"]
    return [f"DROP TRIGGER IF EXISTS {guard.name}_upd", f"DROP TRIGGER IF EXISTS {guard.name}_del"]


def trigger_names(connection, table: str) -> set[str]:
    """Names of the triggers on ``table`` in the connected database."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [table])
        elif connection.vendor == "postgresql":
            cursor.execute("SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal", [table])
        else:
            cursor.execute(
                "SELECT trigger_name FROM information_schema.triggers "
                "WHERE event_object_schema = DATABASE() AND event_object_table = %s",
                [table],
            )
        return {row[0] for row in cursor.fetchall()}


def expected_names(vendor: str, guard: Guard) -> set[str]:
    return {guard.name} if vendor == "postgresql" else {f"{guard.name}_upd", f"{guard.name}_del"}


def _connection(schema_editor_or_connection):
    from django.db.backends.base.schema import BaseDatabaseSchemaEditor

    if isinstance(schema_editor_or_connection, BaseDatabaseSchemaEditor):
        return schema_editor_or_connection.connection
    return schema_editor_or_connection


def install(schema_editor_or_connection, guard: Guard) -> None:
    connection = _connection(schema_editor_or_connection)
    with connection.cursor() as cursor:
        for statement in install_sql(connection.vendor, guard):
            cursor.execute(statement)


def drop(schema_editor_or_connection, guard: Guard) -> None:
    connection = _connection(schema_editor_or_connection)
    with connection.cursor() as cursor:
        for statement in drop_sql(connection.vendor, guard):
            cursor.execute(statement)


def registered_guards() -> list[Guard]:
    """Every guarded table that exists in this code base's models."""
    return [AUDIT_LOG, STOCK_MOVE, INVOICE]


def ensure_installed(connection, guards: list[Guard] | None = None) -> list[str]:
    """(Re)install any missing trigger; returns the tables repaired."""
    from django.db.utils import DatabaseError

    repaired = []
    existing_tables = set(connection.introspection.table_names())
    for guard in guards if guards is not None else registered_guards():
        if guard.table not in existing_tables:
            continue
        try:
            have = trigger_names(connection, guard.table)
        except DatabaseError:
            continue
        if not expected_names(connection.vendor, guard) <= have:
            install(connection, guard)
            repaired.append(guard.table)
    return repaired


def allow_flush(connection) -> None:
    """Wrap this connection's ``execute_sql_flush`` so a flush may empty the
    guarded tables (see the module docstring). Idempotent."""
    from django.db import transaction

    ops = connection.ops
    if getattr(ops, "_lpg_flush_wrapped", False) or connection.vendor not in ("sqlite", "mysql"):
        return
    original = ops.execute_sql_flush

    def execute_sql_flush(sql_list):
        if connection.vendor == "mysql":
            # A session variable: private to this connection, not transactional.
            try:
                with connection.cursor() as cursor:
                    cursor.execute("SET @lpg_flush = 1")
                original(sql_list)
            finally:
                with connection.cursor() as cursor:
                    cursor.execute("SET @lpg_flush = NULL")
            return
        with transaction.atomic(using=connection.alias):
            with connection.cursor() as cursor:
                marker = MARKER_TABLE in connection.introspection.table_names(cursor)
                if marker:
                    cursor.execute(f"INSERT OR IGNORE INTO {MARKER_TABLE} (id) VALUES (1)")  # noqa: S608
            original(sql_list)
            if marker:  # on failure the rollback removes the marker
                with connection.cursor() as cursor:
                    cursor.execute(f"DELETE FROM {MARKER_TABLE}")  # noqa: S608

    ops.execute_sql_flush = execute_sql_flush
    ops._lpg_flush_wrapped = True
