from rest_framework.permissions import BasePermission

from apps.core.permissions import role_of
from apps.core.roles import Role


class IsCustomerContact(BasePermission):
    """A signed-in contact of a customer (role ``customer``); every other role
    is refused (403): the office has its own endpoints."""

    def has_permission(self, request, view) -> bool:
        user = request.user
        return role_of(user) == Role.CUSTOMER and user.is_active and hasattr(user, "customer_contact")
