from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _flush_hook(sender, connection, **kwargs) -> None:
    from apps.audit.triggers import allow_flush

    allow_flush(connection)


def _after_migrate(sender, using, **kwargs) -> None:
    """After every migrate (and flush): put back any missing trigger (SQLite
    drops a table's triggers when a migration rebuilds the table) and make
    sure the chain head row exists, so concurrent first appends never race to
    create it."""
    from django.db import connections

    from apps.audit.head import audit_chain_head_ensure
    from apps.audit.triggers import ensure_installed

    ensure_installed(connections[using])
    audit_chain_head_ensure(using=using)


class AuditConfig(AppConfig):
    name = "apps.audit"
    label = "audit"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from apps.audit import health  # noqa: F401 - registers the audit.E001 system check

        connection_created.connect(_flush_hook, dispatch_uid="audit_allow_flush")
        post_migrate.connect(_after_migrate, sender=self, dispatch_uid="audit_after_migrate")
