"""Celery application: Redis broker when REDIS_URL is set, eager otherwise."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "defcore_site.settings")

app = Celery("defcore_site")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
