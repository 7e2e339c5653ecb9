from django.apps import AppConfig


class PortalConfig(AppConfig):
    """The customer's self-service API (/api/customer/, docs/customers.md)."""

    name = "apps.portal"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from apps.orders.events import order_event
        from apps.portal.notifications import on_order_event

        # the order e-mails: told after commit by the orders' services
        order_event.connect(on_order_event, dispatch_uid="portal.order_notifications")
