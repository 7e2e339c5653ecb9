from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "apps.accounts"
    label = "accounts"

    def ready(self) -> None:
        # The admin has imported every app's admin module by now (it is first
        # in INSTALLED_APPS): restrict each ModelAdmin by role, centrally.
        from apps.core.admin import apply_role_policy

        apply_role_policy()
        from apps.accounts import schema  # noqa: F401  registers the bearer scheme for the OpenAPI schema
