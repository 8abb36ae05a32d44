from pathlib import Path

import pytest
from django.contrib.auth.models import Permission, User
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from committee.models import Role, Seat
from guidelines.models import Guideline
from guidelines.services import guideline_start_draft
from guidelines.serving import CACHE
from tests.conftest import DEMO
from tests.guidelines.helpers import import_file

# Guideline documents written for these tests (see README.md there).
DATA = Path(__file__).resolve().parent.parent / "data" / "api"


@pytest.fixture(autouse=True)
def cold_serving_cache():
    """Each test starts with nothing served from memory."""
    CACHE.clear()
    yield
    CACHE.clear()


@pytest.fixture
def loaded(system):
    """The project's guidelines, imported: what most of the API is tried on.

    ``2025.06`` (schema 1.2, superseded), ``2025.12`` (2.0, superseded), the
    demo ``2026.06`` (approved) and its DNS add-on ``dns.2026.06`` (approved),
    each from its file; ``next`` and ``dns.next``, the drafts started from the
    two approved ones. Returns the files by guideline name.
    """
    files = {
        "2025.06": DATA / "2025.06.json",
        "2025.12": DATA / "2025.12.json",
        "2026.06": DEMO / "2026.06.json",
        "dns.2026.06": DEMO / "dns.2026.06.json",
    }
    for path in files.values():
        import_file(path)
    for source in ("2026.06", "dns.2026.06"):
        guideline_start_draft(source=Guideline.objects.get(key=source), actor=system)
    return files


@pytest.fixture
def real_loaded(real_files, db):
    """Some of the committee's real guidelines, for the tests of fidelity to them."""
    for key in ("2015.03", "2020.06", "next", "orchestration.2020.06"):
        import_file(real_files[key])
    return real_files


@pytest.fixture
def anonymous():
    return APIClient()


def user_with(*codenames, username="member"):
    user = User.objects.create_user(username, password="a-long-password-9")
    for codename in codenames:
        user.user_permissions.add(Permission.objects.get(codename=codename))
    return user


@pytest.fixture
def editor(db):
    """The chair's API client, by token: stores whole guideline documents."""
    user = user_with(username="chair")
    Seat.objects.create(user=user, role=Role.CHAIR)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    client.user = user
    return client


@pytest.fixture
def reader(db):
    """A signed-in user with no right to change guidelines, through a token."""
    user = user_with(username="reader")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client
