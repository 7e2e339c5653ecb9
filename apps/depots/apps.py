from django.apps import AppConfig


class DepotsConfig(AppConfig):
    name = "apps.depots"
    label = "depots"
