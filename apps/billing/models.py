from django.db import models


class Sequence(models.Model):
    """A gapless counter. The row is locked (select_for_update) inside the
    document's own transaction, last, so a rolled-back document gives its number
    back. One row per series and period: ``invoice/2026``, ``distribution/2026-01-19``."""

    slug = models.CharField(max_length=64, unique=True)
    current_value = models.PositiveBigIntegerField(default=0)
    format_string = models.CharField(max_length=64, help_text="Python format, e.g. INV-2026-{value:06d}")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["slug"]

    def __str__(self) -> str:
        return f"{self.slug} = {self.current_value}"

    def format(self, value: int) -> str:
        return self.format_string.format(value=value)
