from django.urls import path

from apps.accounts.apis import PasswordChangeApi

urlpatterns = [
    path("me/password/", PasswordChangeApi.as_view(), name="me-password"),
]
