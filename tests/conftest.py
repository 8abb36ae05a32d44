"""Shared fixtures.

The committee's real guideline files (../shared/interop-data, or the folder
named by INTEROP_DATA) are the best fixtures there are. CI sets
REQUIRE_INTEROP_DATA=1: there, missing data fails the tests that need it;
elsewhere they skip and say why.
"""

import os
from pathlib import Path

import pytest
from django.conf import settings

# A real Celery worker, for the tests that run one (CI's Redis): a fixture for every test.
from tests.celery_worker import worker  # noqa: F401

REPO = Path(__file__).resolve().parent.parent


def interop_data_dir() -> Path:
    configured = os.environ.get("INTEROP_DATA") or settings.INTEROP_DATA
    return Path(configured) if configured else REPO.parent / "shared" / "interop-data"


@pytest.fixture(scope="session")
def interop_data() -> Path:
    folder = interop_data_dir()
    if not (folder / "guidelines").is_dir():
        message = f"the real guideline data is not at {folder} (set INTEROP_DATA)"
        if os.environ.get("REQUIRE_INTEROP_DATA") == "1":
            pytest.fail(message)
        pytest.skip(message)
    return folder


@pytest.fixture(scope="session")
def real_files(interop_data) -> dict[str, Path]:
    """Every real guideline file by name: '2020.06', 'orchestration.next', ..."""
    files = sorted((interop_data / "guidelines").glob("*.json")) + sorted(
        (interop_data / "add-ons").glob("*.json")
    )
    return {path.name.removesuffix(".json"): path for path in files}


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    """The personas are created in most tests: hashing their passwords need not be slow."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# The personas: a chair, two committee members, a reviewer (signed in, no seat).


@pytest.fixture
def chair(db):
    from tests.factories import SeatFactory, UserFactory

    return SeatFactory(user=UserFactory(username="chair"), role="chair").user


@pytest.fixture
def member(db):
    from tests.factories import SeatFactory, UserFactory

    return SeatFactory(user=UserFactory(username="member")).user


@pytest.fixture
def other_member(db):
    from tests.factories import SeatFactory, UserFactory

    return SeatFactory(user=UserFactory(username="member2")).user


@pytest.fixture
def reviewer(db):
    from tests.factories import UserFactory

    return UserFactory(username="reviewer")


@pytest.fixture
def staff(db):
    """The foundation's staff: no seat, Django's is_staff (they approve vendors, verify runs)."""
    from tests.factories import UserFactory

    return UserFactory(username="staff", is_staff=True)


# The project's own data: the demo guidelines, which need nothing beside the repository.

DEMO = REPO / "guidelines" / "demo"


@pytest.fixture
def system(db):
    """The system user: who an operator's command acts as."""
    from committee.system import system_actor

    return system_actor()


@pytest.fixture
def demo(system):
    """The demo guideline 2026.06 (schema 2.0, approved, 7 capabilities), imported."""
    from tests.guidelines.helpers import import_file

    return import_file(DEMO / "2026.06.json").guideline


@pytest.fixture
def demo_draft(demo, system):
    """``next``: a draft started from the demo 2026.06, as the committee's next guideline."""
    from guidelines.services import guideline_start_draft

    return guideline_start_draft(source=demo, actor=system)


@pytest.fixture(autouse=True)
def fresh_health_answer():
    """/health/ reuses its answer for a moment: each test asks afresh."""
    from defcore_site.health import forget

    forget()
    yield
    forget()


@pytest.fixture
def eager_tasks():
    """Celery tasks run in this process, as soon as they are queued (after the commit),
    even where REDIS_URL sends them to a broker that no worker reads in the tests."""
    from defcore_site.celery import app

    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = before
