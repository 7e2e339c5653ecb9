"""Database triggers that make history append-only below the ORM, on SQLite,
MySQL/MariaDB and PostgreSQL. Installed by migrations (apps/audit/migrations)
and re-checked after every ``migrate`` (SQLite drops a table's triggers when a
schema change rebuilds the table).

There is no escape hatch: no session variable, marker row or setting lets a
connection through. UPDATE and DELETE are refused on the guarded tables (and
TRUNCATE on PostgreSQL, where it fires no row triggers); the chain head moves
forward only, to the newest audit row. Only someone allowed to drop triggers
(DDL rights, the database owner) can get past them, and the hash chain, the
HMAC-signed head and the verify commands are there to catch what they do.

Flushing (``manage.py flush``, pytest-django between transactional tests):
only under settings with ``AUDIT_FLUSH_DROPS_TRIGGERS = True`` (the test
settings, never production) ``allow_flush`` wraps the flush of a connection to
drop the triggers, flush and put them back (in one transaction on SQLite and
PostgreSQL; MySQL commits DDL at once). Elsewhere a flush of a non-empty audit
log is refused like any other delete.
"""

from dataclasses import dataclass, field, replace

# The old SQLite flush marker (a row in it let deletes through); dropped by
# migration 0006, named here so the guard check can report it if it comes back.
MARKER_TABLE = "audit_flush_marker"
HATCHES = ("lpg_flush", MARKER_TABLE)


@dataclass(frozen=True)
class Guard:
    table: str
    # Columns whose change is refused; empty = every UPDATE is refused.
    frozen_columns: tuple[str, ...] = field(default=())
    # append_only: UPDATE (of frozen columns) and DELETE refused;
    # forward_only: the chain head, which may only move to the newest audit row.
    kind: str = "append_only"
    # Sealed once: an UPDATE is allowed only while this column is NULL, only to
    # set it, and only if no frozen column changes (the audit sealer fills in
    # the chain fields of a committed row exactly once).
    seal_column: str = ""
    # Purged once (PDPA retention, docs/customers.md "Personal data"): an UPDATE
    # is also allowed when it sets this column (NULL -> a time), clears every
    # ``purge_clears`` column (to NULL; ``purge_blank`` ones to '') and changes
    # no ``purge_keeps`` column. One way only: cleared data never comes back,
    # and a purged row never changes again. Not an escape hatch (no session
    # flag or marker lets a connection through): a transition, like the seal.
    purge_column: str = ""
    purge_clears: tuple[str, ...] = ()
    purge_blank: tuple[str, ...] = ()
    purge_keeps: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return f"{self.table}_{self.kind}"


# Audit rows: inserted by the writing transaction with no chain fields, then
# sealed once by the sequencer (apps.audit.sealer), which may set chain_index,
# prev_hash, row_hash and sealed_at while chain_index is NULL. Nothing else.
AUDIT_LOG = Guard(
    "audit_auditlog",
    frozen_columns=(
        "id", "user_id", "user_email", "action", "entity_type", "entity_id", "before", "after",
        "request_meta", "ip_address", "created_at", "entry_mac",
    ),
    seal_column="chain_index",
)  # fmt: skip
STOCK_MOVE = Guard("inventory_stockmove")
EQUIPMENT_MOVE = Guard("inventory_equipmentmove")  # a serial's history (issue 13)
# Issued invoices: the number, the customer and every amount never change and
# rows are never deleted; status, payments, credits and the PDF may change
# (apps.billing.models.INVOICE_MUTABLE_FIELDS).
INVOICE = Guard(
    "billing_invoice",
    frozen_columns=(
        "number", "customer_id", "customer_name", "customer_address", "customer_postal_code", "customer_uen",
        "issue_date", "supply_date", "due_date", "payment_terms", "payment_method", "currency", "subtotal", "gst_rate",
        "gst_amount", "total", "created_by_id", "created_at",
    ),
)  # fmt: skip
# Proof of delivery (apps.deliveries): the proof row never changes; an
# attachment row is filled in once by its upload (file, size, ... while
# uploaded_at is NULL, setting it), its declaration (delivery, kind, hash,
# position) never changes, and nothing is ever deleted.
# Both purge their personal data once, after PERSONAL_DATA_RETENTION_DAYS
# (apps.deliveries.services.personal_data_purge): the proof's GPS fix, the
# attachment's file (its bytes deleted from storage); the hashes stay.
DELIVERY_PROOF = Guard(
    "deliveries_deliveryproof",
    purge_column="purged_at",
    purge_clears=("latitude", "longitude", "accuracy_m"),
    purge_keeps=("id", "delivery_id", "recipient_name", "created_at"),
)
DELIVERY_ATTACHMENT = Guard(
    "deliveries_deliveryattachment",
    frozen_columns=("id", "delivery_id", "kind", "sha256", "position", "created_at"),
    seal_column="uploaded_at",
    purge_column="purged_at",
    purge_blank=("file",),
    purge_keeps=(
        "id", "delivery_id", "kind", "sha256", "position", "created_at", "content_type", "size", "width", "height",
        "uploaded_at", "uploaded_by_id",
    ),
)  # fmt: skip
# The single chain head row (apps.audit.models.AuditChainHead): an UPDATE must
# keep the head where it is (re-signing) or move it forward to an audit row
# that exists with exactly that hash. No rewinding, no delete.
CHAIN_HEAD = Guard("audit_auditchainhead", kind="forward_only")

# SQL condition (SQLite, MySQL and PostgreSQL alike) for an allowed head update.
HEAD_UPDATE_OK = (
    "NEW.id = OLD.id AND ((NEW.last_index = OLD.last_index AND NEW.last_hash = OLD.last_hash) "
    "OR (NEW.last_index > OLD.last_index AND EXISTS (SELECT 1 FROM audit_auditlog "
    "WHERE chain_index = NEW.last_index AND row_hash = NEW.last_hash)))"
)


def _msg(guard: Guard, op: str) -> str:
    if guard.kind == "forward_only":
        return f"{guard.table} moves forward only: {op} refused"
    return f"{guard.table} is append-only: {op} refused"


def _seal_ok(guard: Guard, changed: str) -> str:
    """SQL condition for the one allowed update of a sealable row."""
    column = guard.seal_column
    return f"OLD.{column} IS NULL AND NEW.{column} IS NOT NULL AND NOT ({changed})"


def _purge_ok(guard: Guard, quote: str, differs: str) -> str:
    """SQL condition for the one allowed purge of a row ('' when the guard has none).
    ``differs``: the vendor's "OLD.c and NEW.c differ" with {o} and {n} for the columns."""
    if not guard.purge_column:
        return ""
    q = lambda c: f"{quote}{c}{quote}"  # noqa: E731
    parts = [f"OLD.{q(guard.purge_column)} IS NULL", f"NEW.{q(guard.purge_column)} IS NOT NULL"]
    parts += [f"NEW.{q(c)} IS NULL" for c in guard.purge_clears]
    parts += [f"NEW.{q(c)} = ''" for c in guard.purge_blank]
    if guard.purge_keeps:
        changed = " OR ".join(differs.format(o=f"OLD.{q(c)}", n=f"NEW.{q(c)}") for c in guard.purge_keeps)
        parts.append(f"NOT ({changed})")
    return " AND ".join(parts)


def _sqlite_update_when(guard: Guard) -> str:
    if guard.kind == "forward_only":
        return f" WHEN NOT ({HEAD_UPDATE_OK})"
    purge = _purge_ok(guard, '"', "{o} IS NOT {n}")
    if not guard.frozen_columns:
        return f" WHEN NOT ({purge})" if purge else ""
    changed = " OR ".join(f'OLD."{c}" IS NOT NEW."{c}"' for c in guard.frozen_columns)
    if guard.seal_column:
        allowed = f"({_seal_ok(guard, changed)}) OR ({purge})" if purge else _seal_ok(guard, changed)
        return f" WHEN NOT ({allowed})"
    return f" WHEN ({changed}) AND NOT ({purge})" if purge else f" WHEN {changed}"


def sqlite_sql(guard: Guard) -> list[str]:
    return [
        f'CREATE TRIGGER IF NOT EXISTS {guard.name}_upd BEFORE UPDATE ON "{guard.table}"{_sqlite_update_when(guard)} '
        f"BEGIN SELECT RAISE(ABORT, '{_msg(guard, 'UPDATE')}'); END",
        f'CREATE TRIGGER IF NOT EXISTS {guard.name}_del BEFORE DELETE ON "{guard.table}" '
        f"BEGIN SELECT RAISE(ABORT, '{_msg(guard, 'DELETE')}'); END",
    ]


def postgresql_sql(guard: Guard) -> list[str]:
    # Nested IFs: a statement-level TRUNCATE trigger has no OLD/NEW row.
    if guard.kind == "forward_only":
        update_check = f"IF TG_OP = 'UPDATE' THEN IF {HEAD_UPDATE_OK} THEN RETURN NEW; END IF; END IF;"
        what = "moves forward only"
    elif guard.frozen_columns:
        changed = " OR ".join(f'OLD."{c}" IS DISTINCT FROM NEW."{c}"' for c in guard.frozen_columns)
        allowed = _seal_ok(guard, changed) if guard.seal_column else f"NOT ({changed})"
        if purge := _purge_ok(guard, '"', "{o} IS DISTINCT FROM {n}"):
            allowed = f"({allowed}) OR ({purge})"
        update_check = f"IF TG_OP = 'UPDATE' THEN IF {allowed} THEN RETURN NEW; END IF; END IF;"
        what = "is append-only"
    elif purge := _purge_ok(guard, '"', "{o} IS DISTINCT FROM {n}"):
        update_check = f"IF TG_OP = 'UPDATE' THEN IF {purge} THEN RETURN NEW; END IF; END IF;"
        what = "is append-only"
    else:
        update_check = ""
        what = "is append-only"
    return [
        f"""CREATE OR REPLACE FUNCTION {guard.name}_fn() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  {update_check}
  RAISE EXCEPTION '% {what}: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'integrity_constraint_violation';
END $$""",
        f'DROP TRIGGER IF EXISTS {guard.name} ON "{guard.table}"',
        f'CREATE TRIGGER {guard.name} BEFORE UPDATE OR DELETE ON "{guard.table}" '
        f"FOR EACH ROW EXECUTE FUNCTION {guard.name}_fn()",
        f'DROP TRIGGER IF EXISTS {guard.name}_truncate ON "{guard.table}"',
        f'CREATE TRIGGER {guard.name}_truncate BEFORE TRUNCATE ON "{guard.table}" '
        f"FOR EACH STATEMENT EXECUTE FUNCTION {guard.name}_fn()",
    ]


def mysql_sql(guard: Guard) -> list[str]:
    refuse_update = f"SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = '{_msg(guard, 'UPDATE')}'"
    if guard.kind == "forward_only":
        update_body = f"IF NOT ({HEAD_UPDATE_OK}) THEN {refuse_update}; END IF"
    elif guard.frozen_columns:
        changed = " OR ".join(f"NOT (OLD.`{c}` <=> NEW.`{c}`)" for c in guard.frozen_columns)
        refused = f"NOT ({_seal_ok(guard, changed)})" if guard.seal_column else changed
        if purge := _purge_ok(guard, "`", "NOT ({o} <=> {n})"):
            refused = f"({refused}) AND NOT ({purge})"
        update_body = f"IF {refused} THEN {refuse_update}; END IF"
    elif purge := _purge_ok(guard, "`", "NOT ({o} <=> {n})"):
        update_body = f"IF NOT ({purge}) THEN {refuse_update}; END IF"
    else:
        update_body = refuse_update
    return [
        f"DROP TRIGGER IF EXISTS {guard.name}_upd",
        f"CREATE TRIGGER {guard.name}_upd BEFORE UPDATE ON `{guard.table}` FOR EACH ROW BEGIN {update_body}; END",
        f"DROP TRIGGER IF EXISTS {guard.name}_del",
        f"CREATE TRIGGER {guard.name}_del BEFORE DELETE ON `{guard.table}` FOR EACH ROW BEGIN "
        f"SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = '{_msg(guard, 'DELETE')}'; END",
    ]


def install_sql(vendor: str, guard: Guard) -> list[str]:
    return {"sqlite": sqlite_sql, "postgresql": postgresql_sql, "mysql": mysql_sql}[vendor](guard)


def drop_sql(vendor: str, guard: Guard) -> list[str]:
    if vendor == "postgresql":
        return [
            f'DROP TRIGGER IF EXISTS {guard.name} ON "{guard.table}"',
            f'DROP TRIGGER IF EXISTS {guard.name}_truncate ON "{guard.table}"',
            f"DROP FUNCTION IF EXISTS {guard.name}_fn()",
        ]
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
    if vendor == "postgresql":
        return {guard.name, f"{guard.name}_truncate"}
    return {f"{guard.name}_upd", f"{guard.name}_del"}


def _connection(schema_editor_or_connection):
    from django.db.backends.base.schema import BaseDatabaseSchemaEditor

    if isinstance(schema_editor_or_connection, BaseDatabaseSchemaEditor):
        return schema_editor_or_connection.connection
    return schema_editor_or_connection


def _as_of_schema(connection, guard: Guard) -> Guard:
    """The guard limited to the columns its table has now: an early migration
    installs today's guard before later migrations add some of its columns
    (the migration that adds them installs the guard again)."""
    if not guard.frozen_columns and not guard.purge_column:
        return guard
    with connection.cursor() as cursor:
        present = {c.name for c in connection.introspection.get_table_description(cursor, guard.table)}
    guard = replace(guard, frozen_columns=tuple(c for c in guard.frozen_columns if c in present))
    if guard.purge_column and guard.purge_column not in present:  # before the migration that adds it
        guard = replace(guard, purge_column="", purge_clears=(), purge_blank=(), purge_keeps=())
    return guard


def install(schema_editor_or_connection, guard: Guard) -> None:
    connection = _connection(schema_editor_or_connection)
    guard = _as_of_schema(connection, guard)
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
    return [AUDIT_LOG, CHAIN_HEAD, STOCK_MOVE, INVOICE, DELIVERY_PROOF, DELIVERY_ATTACHMENT, EQUIPMENT_MOVE]


def ensure_installed(connection, guards: list[Guard] | None = None) -> list[str]:
    """(Re)install any missing trigger; returns the tables repaired."""
    from django.db.utils import DatabaseError

    repaired = []
    existing_tables = set(connection.introspection.table_names())
    for guard in guards if guards is not None else registered_guards():
        if guard.table not in existing_tables:
            continue
        try:
            bodies = trigger_bodies(connection, guard.table)
        except DatabaseError:
            continue
        hatched = any(n.startswith(guard.name) and _has_hatch(b) for n, b in bodies.items())
        if hatched or not expected_names(connection.vendor, guard) <= set(bodies):
            if hatched:  # an old install's trigger with an escape clause
                drop(connection, guard)
            install(connection, guard)
            repaired.append(guard.table)
    return repaired


def trigger_bodies(connection, table: str) -> dict[str, str]:
    """name -> SQL text of each trigger on ``table`` (PostgreSQL: the function's body)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [table])
        elif connection.vendor == "postgresql":
            cursor.execute(
                "SELECT t.tgname, p.prosrc FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid "
                "WHERE t.tgrelid = %s::regclass AND NOT t.tgisinternal",
                [table],
            )
        else:
            cursor.execute(
                "SELECT trigger_name, action_statement FROM information_schema.triggers "
                "WHERE event_object_schema = DATABASE() AND event_object_table = %s",
                [table],
            )
        return {name: body or "" for name, body in cursor.fetchall()}


def _has_hatch(body: str) -> bool:
    return any(h in body.lower() for h in HATCHES)


def guard_problems(connection) -> list[str]:
    """What is wrong with the guards right now: a missing trigger, or a trigger
    that still has an escape clause (an old install). Empty = all in place."""
    problems = []
    existing_tables = set(connection.introspection.table_names())
    for guard in registered_guards():
        if guard.table not in existing_tables:
            continue
        bodies = trigger_bodies(connection, guard.table)
        missing = expected_names(connection.vendor, guard) - set(bodies)
        if missing:
            problems.append(f"{guard.table}: trigger(s) {', '.join(sorted(missing))} missing")
        hatched = sorted(n for n, body in bodies.items() if n.startswith(guard.name) and _has_hatch(body))
        if hatched:
            problems.append(f"{guard.table}: trigger(s) {', '.join(hatched)} have an escape clause")
    return problems


def reinstall_all(connection) -> None:
    """Drop and install every guard whose table exists (a migration that
    changes a trigger's body; on SQLite also removes the old flush marker)."""
    existing_tables = set(connection.introspection.table_names())
    for guard in registered_guards():
        if guard.table in existing_tables:
            drop(connection, guard)
            install(connection, guard)
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {MARKER_TABLE}")


def allow_flush(connection) -> None:
    """Wrap this connection's ``execute_sql_flush`` so that, under settings with
    ``AUDIT_FLUSH_DROPS_TRIGGERS`` (tests only), a flush drops the guards,
    empties the tables and installs them again. Read at flush time, so
    ``override_settings`` shows what production does. Idempotent."""
    from django.conf import settings
    from django.db import transaction

    ops = connection.ops
    if getattr(ops, "_lpg_flush_wrapped", False):
        return
    original = ops.execute_sql_flush

    def execute_sql_flush(sql_list):
        if not getattr(settings, "AUDIT_FLUSH_DROPS_TRIGGERS", False):
            return original(sql_list)
        if connection.vendor == "mysql":  # DDL commits at once: no transaction to share
            for guard in registered_guards():
                drop(connection, guard)
            try:
                return original(sql_list)
            finally:
                ensure_installed(connection)
        with transaction.atomic(using=connection.alias):
            for guard in registered_guards():
                drop(connection, guard)
            original(sql_list)
            ensure_installed(connection)

    ops.execute_sql_flush = execute_sql_flush
    ops._lpg_flush_wrapped = True
