import pytest
from django.contrib.auth.models import Permission, User
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from committee.models import Role, Seat
from guidelines.serving import CACHE
from tests.guidelines.helpers import import_file


@pytest.fixture(autouse=True)
def cold_serving_cache():
    """Each test starts with nothing served from memory."""
    CACHE.clear()
    yield
    CACHE.clear()


@pytest.fixture
def loaded(real_files, db):
    """The shared real guidelines, imported."""
    for key in (
        "2015.03",
        "2018.02",
        "2020.06",
        "next",
        "orchestration.2020.06",
        "orchestration.next",
    ):
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
