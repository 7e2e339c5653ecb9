"""Role checks for the API. Object-level scoping lives in the selectors'
querysets; these classes only decide whether a role may call an endpoint."""

from rest_framework.permissions import SAFE_METHODS, BasePermission

from apps.core.roles import Role


def role_of(user) -> str | None:
    if not user or not user.is_authenticated:
        return None
    return Role.ADMIN if user.is_superuser else user.role


class HasRole(BasePermission):
    roles: tuple[str, ...] = ()

    def has_permission(self, request, view) -> bool:
        role = role_of(request.user)
        if role == Role.AUDITOR:  # reads wherever any role reads; never writes
            return request.method in SAFE_METHODS
        return role in self.roles


def roles(*allowed: str) -> type[BasePermission]:
    """``permission_classes = [roles(Role.ADMIN, Role.SUPERVISOR)]``"""
    return type("HasRole_" + "_".join(allowed), (HasRole,), {"roles": tuple(allowed)})


class ReadAnyWriteAdmin(BasePermission):
    """Master data: every signed-in user reads (scoped), only admins write."""

    def has_permission(self, request, view) -> bool:
        role = role_of(request.user)
        if role is None:
            return False
        return request.method in SAFE_METHODS or role == Role.ADMIN
