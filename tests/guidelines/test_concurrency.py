"""Imports that race for the same name on a real database."""

import threading

import pytest
from django.db import connection

from guidelines.models import Guideline, GuidelineEvent

from .helpers import import_file, project_path


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_imports_of_a_new_guideline_store_it_once():
    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent writers: runs on PostgreSQL (CI sets DATABASE_URL)")
    barrier = threading.Barrier(2)
    outcomes, errors = [], []

    def worker():
        try:
            barrier.wait()
            outcomes.append(import_file(project_path("2024.01")).outcome)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert sorted(outcomes) == ["created", "unchanged"]
    assert Guideline.objects.count() == 1
    assert GuidelineEvent.objects.count() == 1
