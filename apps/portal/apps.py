from django.apps import AppConfig


class PortalConfig(AppConfig):
    """The customer's self-service API (/api/customer/, docs/customers.md)."""

    name = "apps.portal"
    default_auto_field = "django.db.models.BigAutoField"
