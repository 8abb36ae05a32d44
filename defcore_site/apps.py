from django.apps import AppConfig
from django.core import checks


class DefcoreSiteConfig(AppConfig):
    """The site as an app: it has no models, only the checks it starts with."""

    name = "defcore_site"

    def ready(self):
        from defcore_site.startup import secret_key_check

        # With the deploy checks only: makemigrations and migrate run every other
        # check, and they sign nothing.
        checks.register(secret_key_check, checks.Tags.security, deploy=True)
