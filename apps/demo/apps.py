from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo data (``manage.py seed_demo``); the top layer: it may use every app."""

    name = "apps.demo"
    label = "demo"
