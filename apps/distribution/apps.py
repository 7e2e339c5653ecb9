from django.apps import AppConfig


class DistributionConfig(AppConfig):
    name = "apps.distribution"
    label = "distribution"
