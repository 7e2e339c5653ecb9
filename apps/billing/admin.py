from django.contrib import admin

from apps.billing.models import Sequence
from apps.core.admin import ReadOnlyAdmin


@admin.register(Sequence)
class SequenceAdmin(ReadOnlyAdmin):
    """Visible, never editable: a number changed by hand would break gaplessness."""

    list_display = ["slug", "current_value", "format_string", "updated_at"]
    search_fields = ["slug"]
