from django.contrib import admin, messages

from apps.audit.chain import verify_chain
from apps.audit.models import AuditLog
from apps.core.admin import ReadOnlyAdmin


@admin.register(AuditLog)
class AuditLogAdmin(ReadOnlyAdmin):
    """Browsable and filterable, never editable. The changelist shows whether
    the hash chain is intact (the same check as ``verify_audit_chain``)."""

    list_display = ["id", "created_at", "action", "user_email", "entity_type", "entity_id", "ip_address"]
    # A date filter by ranges, not date_hierarchy: the latter needs the time
    # zone tables on MySQL/MariaDB (CONVERT_TZ), and fails without them.
    list_filter = [("created_at", admin.DateFieldListFilter), "action", "entity_type"]
    search_fields = ["user_email", "entity_id", "entity_type"]
    readonly_fields = [f.name for f in AuditLog._meta.fields]
    list_select_related = ["user"]
    show_full_result_count = False

    def changelist_view(self, request, extra_context=None):
        if request.method == "GET" and not request.GET.get("_popup"):
            report = verify_chain()
            if report.ok:
                messages.success(request, f"Audit chain intact: {report.rows_checked} rows verified.")
            else:
                messages.error(
                    request,
                    f"Audit chain BROKEN: {report.first} ({len(report.problems)} problem(s) "
                    f"in {report.rows_checked} rows).",
                )
        return super().changelist_view(request, extra_context)
