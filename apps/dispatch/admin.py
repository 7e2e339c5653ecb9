from django.contrib import admin
from django.urls import path, reverse
from django.utils.html import format_html

from apps.core.admin import ReadOnlyAdmin
from apps.dispatch import admin_views
from apps.dispatch.models import DispatchPlan, LoadSheetLine


class LoadSheetLineInline(admin.TabularInline):
    model = LoadSheetLine
    extra = 0
    can_delete = False
    readonly_fields = ["vehicle", "cylinder_type", "ordered", "buffer", "to_load"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(DispatchPlan)
class DispatchPlanAdmin(ReadOnlyAdmin):
    """The plans of each day, read-only (they are made by the dispatch
    services through the API); the board and the load sheets hang off it."""

    list_display = ["date", "version", "kind", "engine", "total_km", "trucks_used", "orders_planned",
                    "orders_unassigned", "created_by", "created_at", "board_link"]  # fmt: skip
    list_filter = ["kind", "date"]
    date_hierarchy = "date"
    inlines = [LoadSheetLineInline]
    exclude = ["snapshot"]
    readonly_fields = [f.name for f in DispatchPlan._meta.fields if f.name != "snapshot"]

    @admin.display(description="Board")
    def board_link(self, plan):
        return format_html('<a href="{}?date={}">Board</a>', reverse("admin:dispatch_board"), plan.date.isoformat())

    def get_urls(self):
        def view(function):
            return self.admin_site.admin_view(lambda request, *args, **kwargs: function(self, request, *args, **kwargs))

        return [
            path("board/", view(admin_views.board_page), name="dispatch_board"),
            path("board/data/", view(admin_views.board_data), name="dispatch_board_data"),
            path("board/api/<str:action>/", view(admin_views.board_api), name="dispatch_board_api"),
            path(
                "board/api/clashes/<int:pk>/resolve/",
                view(admin_views.board_clash_resolve),
                name="dispatch_board_clash_resolve",
            ),  # fmt: skip
            path("load-sheet/<int:vehicle_id>/", view(admin_views.load_sheet_page), name="dispatch_load_sheet"),
        ] + super().get_urls()
