from django.contrib.auth.base_user import BaseUserManager
from django.contrib.auth.models import AbstractBaseUser, PermissionsMixin
from django.db import models
from django.utils import timezone

from apps.core.roles import Role


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def get_by_natural_key(self, username):
        """The account whose address is exactly the one sent (any case). On
        MariaDB/MySQL the column's collation also matches accented spellings
        (``exámple.com`` = ``example.com``): those are not this account."""
        user = super().get_by_natural_key(username)
        if user.email.casefold() != str(username).strip().casefold():
            raise self.model.DoesNotExist("No account has exactly this address.")
        return user

    def create_user(self, email: str, password: str | None = None, **extra):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra.setdefault("role", Role.ADMIN)
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in: by e-mail, with one role."""

    email = models.EmailField(unique=True)
    name = models.CharField(max_length=150)
    employee_id = models.CharField(max_length=32, unique=True, null=True, blank=True)
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.DRIVER)
    depot = models.ForeignKey("depots.Depot", null=True, blank=True, on_delete=models.PROTECT, related_name="staff")
    vehicle = models.ForeignKey(
        "depots.Vehicle", null=True, blank=True, on_delete=models.PROTECT, related_name="drivers"
    )
    phone = models.CharField(max_length=32, blank=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False, help_text="May sign in to the Django admin.")
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["name"]

    class Meta:
        ordering = ["email"]

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"

    def has_role(self, *roles: str) -> bool:
        return self.is_active and (self.role in roles)

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN or self.is_superuser
