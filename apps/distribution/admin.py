from django.contrib import admin
from django.urls import path, reverse
from django.utils.html import format_html

from apps.core.admin import ReadOnlyAdmin
from apps.core.permissions import role_of
from apps.core.roles import Role
from apps.distribution import admin_views
from apps.distribution.enums import DistributionStatus
from apps.distribution.models import DistributionHeader, DistributionItem


class DistributionItemInline(admin.TabularInline):
    model = DistributionItem
    extra = 0
    can_delete = False
    readonly_fields = ["depot", "cylinder_type", "quantity", "movement_type"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(DistributionHeader)
class DistributionHeaderAdmin(ReadOnlyAdmin):
    """Read-only history; new loads and returns go through the depot counter
    (``counter/``), which calls the same entry point as the API and the PWA."""

    list_display = ["number", "occurred_at", "driver", "vehicle", "total_collection", "total_return", "status"]
    list_filter = ["status", "vehicle"]
    search_fields = ["number", "driver__name", "vehicle__plate_number"]
    inlines = [DistributionItemInline]
    readonly_fields = [f.name for f in DistributionHeader._meta.fields]
    change_list_template = "admin/distribution/distributionheader/change_list.html"

    def has_change_permission(self, request, obj=None):
        return False

    def get_urls(self):
        return [
            path(
                "counter/",
                self.admin_site.admin_view(lambda request: admin_views.depot_counter(self, request)),
                name="distribution_distributionheader_counter",
            ),
            path(
                "<path:object_id>/reverse/",
                self.admin_site.admin_view(
                    lambda request, object_id: admin_views.distribution_reverse_page(self, request, object_id)
                ),
                name="distribution_distributionheader_reverse",
            ),
        ] + super().get_urls()

    @admin.display(description="Reverse")
    def reverse_link(self, header):
        if header.status == DistributionStatus.REVERSED:
            return ""
        url = reverse("admin:distribution_distributionheader_reverse", args=[header.pk])
        return format_html('<a href="{}">Reverse…</a>', url)

    def get_list_display(self, request):
        columns = list(super().get_list_display(request))
        if role_of(request.user) in (Role.ADMIN, Role.SUPERVISOR):
            columns.append("reverse_link")
        return columns
