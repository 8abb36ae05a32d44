"""Starting a draft from the latest approved guideline of a kind (2017A A1.1, A1.2)."""

from io import StringIO

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from guidelines.models import Guideline
from guidelines.selectors import guideline_latest_approved

from .helpers import import_doc, import_project, project_doc

pytestmark = pytest.mark.django_db


@pytest.fixture
def approved():
    """Two approved platform guidelines (the newer imported first), a superseded one, an add-on."""
    import_project("2024.01", "2021.01", "orchestration.2024.01")
    older = project_doc("2023.06")
    older["metadata"]["os_trademark_approval"]["status"] = "approved"
    import_doc(older, key="2023.06")


def test_the_latest_approved_guideline_of_each_kind(approved):
    assert Guideline.objects.filter(status="approved").count() == 3
    assert guideline_latest_approved("powered").key == "2024.01"
    assert guideline_latest_approved("").key == "2024.01"
    assert guideline_latest_approved("orchestration").key == "orchestration.2024.01"
    assert guideline_latest_approved("dns") is None


def test_a_member_starts_the_next_add_on_draft_in_the_web(approved, client, member):
    client.force_login(member)

    page = client.get("/")
    response = client.post("/drafts/start/", {"family": "orchestration"})

    assert "Start draft" in page.content.decode()
    assert response.status_code == 302
    assert response["Location"] == "/guidelines/orchestration.next/workspace/"
    draft = Guideline.objects.get(key="orchestration.next")
    assert (draft.status, draft.replaces) == ("draft", "orchestration.2024.01")
    assert draft.events.get().channel == "web"


def test_reviewers_see_no_draft_form_and_cannot_start_one(approved, client, reviewer):
    client.force_login(reviewer)

    page = client.get("/")
    response = client.post("/drafts/start/", {"family": "powered"})

    assert "Start draft" not in page.content.decode()
    assert response.status_code == 403
    assert not Guideline.objects.filter(key="next").exists()


def test_the_api_starts_a_draft_from_a_kind(approved, member):
    from rest_framework.authtoken.models import Token

    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=member).key}")

    created = api.post("/api/v1/drafts", {"family": "powered"}, format="json")
    both = api.post("/api/v1/drafts", {"family": "powered", "source": "2024.01"}, format="json")
    none = api.post("/api/v1/drafts", {"family": "dns"}, format="json")

    assert created.status_code == 201, created.content
    assert (created.json()["key"], created.json()["replaces"]) == ("next", "2024.01")
    assert both.status_code == 400
    assert none.status_code == 400 and "family" in none.json()["error"]["fields"]


def test_the_command_starts_from_the_latest_approved(approved):
    out = StringIO()

    call_command("start_draft", "--latest", "powered", stdout=out)

    assert "started draft next from 2024.01" in out.getvalue()
