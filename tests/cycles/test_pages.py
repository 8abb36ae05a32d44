"""The calendar's pages, as each persona sees them, and the chair's two forms:
success redirects, a refusal is a 403 page, bad input a 400 with the message
beside its field; never a server error."""

import re
from datetime import date

import pytest
from django.test import Client

from committee.models import Event
from cycles.models import Cycle
from tests.cycles.conftest import SUMMIT

pytestmark = pytest.mark.django_db

PERSONAS = ["anonymous", "reviewer", "member", "chair"]


@pytest.fixture
def client_as(request):
    def make(persona: str) -> Client:
        client = Client(raise_request_exception=False)
        if persona != "anonymous":
            client.force_login(request.getfixturevalue(persona))
        return client

    return make


def page(response) -> str:
    return response.content.decode()


# Reading


@pytest.mark.parametrize("persona", PERSONAS)
def test_everyone_reads_the_calendar_with_the_current_cycle_first(client_as, persona, cycle, today):
    response = client_as(persona).get("/cycles/")

    assert response.status_code == 200
    html = page(response)
    assert "<h1>Cycle calendar</h1>" in html
    assert 'href="/cycles/2026.06/">Cycle 2026.06</a>' in html
    assert "Now: <strong>Scoring</strong> (S-1)" in html
    assert '<tr class="is-current">' in html
    assert 'css/cycles.css"' in html
    # The form is the chair's only.
    assert ('action="/cycles/"' in html) == (persona == "chair")


@pytest.mark.parametrize("persona", PERSONAS)
def test_everyone_reads_a_cycle_s_timeline_with_today_s_step_marked(
    client_as, persona, cycle, today
):
    response = client_as(persona).get("/cycles/2026.06/")

    assert response.status_code == 200
    html = page(response)
    assert '<ol class="timeline">' in html
    assert html.count('<li class="timeline__step') == 7
    assert html.count('aria-current="step"') == 1
    current = html.split('aria-current="step"')[1].split("</li>")[0]
    assert "Scoring" in current and "S-1" in current and "Now" in current
    assert '<time datetime="2026-02-10">Tue 10 Feb 2026</time>' in current
    assert "2017A timeline S-1; A4.1 to A4.4" in current
    assert "Next: Review (S) on" in html and "in 18 days" in html
    assert ('action="/cycles/summit/"' in html) == (persona == "chair")


def test_before_and_after_its_window_no_step_is_current(client_as, cycle, today):
    today(date(2025, 12, 1))
    before = page(client_as("anonymous").get("/cycles/2026.06/"))
    today(date(2026, 6, 11))
    after = page(client_as("anonymous").get("/cycles/2026.06/"))

    assert 'aria-current="step"' not in before
    assert "Not started: its draft (S-3) is due on" in before and "in 9 days" in before
    assert 'aria-current="step"' not in after
    assert "Over: Board approval (S+3) was due on" in after


def test_on_approval_day_approval_is_the_current_step(client_as, cycle, today):
    today(date(2026, 6, 10))

    html = page(client_as("anonymous").get("/cycles/2026.06/"))

    assert "Board approval is due today" in html
    assert "Board approval" in html.split('aria-current="step"')[1].split("</li>")[0]


def test_an_empty_calendar_says_so_and_tells_the_chair_what_to_do(client_as, chair):
    assert "No cycle is under way or planned." in page(client_as("anonymous").get("/cycles/"))
    assert "plan the next one below" in page(client_as("chair").get("/cycles/"))


@pytest.mark.parametrize("name", ["2027.06", "nope", "x%22%0D%0A", "2026.06.json"])
def test_a_cycle_that_does_not_exist_is_a_404(client_as, cycle, name):
    assert client_as("chair").get(f"/cycles/{name}/").status_code == 404


def test_the_cycle_page_and_the_summit_route_refuse_methods_they_do_not_serve(client_as, cycle):
    chair = client_as("chair")

    assert chair.post("/cycles/2026.06/", {"summit": "2026-04-01"}).status_code == 405
    assert chair.get("/cycles/summit/").status_code == 405


# Planning a cycle


GOOD = {"name": "2026.12", "summit": "2026-09-10", "guideline": "next"}


def test_the_chair_plans_a_cycle_and_lands_on_its_page(client_as, chair):
    response = client_as("chair").post("/cycles/", GOOD, follow=True)

    assert response.redirect_chain == [("/cycles/2026.12/", 302)]
    assert "Cycle 2026.12 is planned: summit on 2026-09-10." in page(response)
    cycle = Cycle.objects.get()
    assert (cycle.summit, cycle.guideline_key, cycle.set_by) == (date(2026, 9, 10), "next", chair)
    assert Event.objects.get(kind="cycle.created").channel == "web"


@pytest.mark.parametrize("persona", ["anonymous", "reviewer", "member"])
def test_anyone_but_the_chair_is_refused_with_a_403_page_and_nothing_changes(
    client_as, persona, chair
):
    response = client_as(persona).post("/cycles/", GOOD)

    assert response.status_code == 403
    assert "Managing the cycle calendar is for the chair" in page(response)
    assert not Cycle.objects.exists()


@pytest.mark.parametrize(
    ("fields", "field", "says"),
    [
        ({"name": "2026.13"}, "name", "2026.13 has no month 13"),
        ({"name": ""}, "name", "This field is required."),
        ({"name": "x" * 101}, "name", "at most 100 characters"),
        ({"name": "2026.12\x00"}, "name", "Null characters are not allowed."),
        ({"summit": "2026-02-30"}, "summit", "Enter a valid date."),
        ({"summit": "soon"}, "summit", "Enter a valid date."),
        ({"summit": "2027-01-01"}, "summit", "is after December 2026"),
        ({"summit": "0001-01-01"}, "summit", "more than 12 months before December 2026"),
        ({"guideline": "Next Draft"}, "guideline", "lower-case letters"),
    ],
)
def test_bad_input_is_a_400_with_the_message_beside_its_field(
    client_as, chair, fields, field, says
):
    response = client_as("chair").post("/cycles/", {**GOOD, **fields})

    assert response.status_code == 400
    html = page(response)
    assert f'id="id_{field}"' in html
    beside = html.split(f'id="id_{field}"')[1].split("</div>")[0]
    assert says in beside.replace("&quot;", '"').replace("&#x27;", "'")
    [element] = re.findall(rf'<input[^>]*id="id_{field}"[^>]*>', html)
    assert 'aria-invalid="true"' in element
    # The input names its error, and the error is there under that id.
    assert f"id_{field}_error" in element and f'id="id_{field}_error"' in beside
    assert not Cycle.objects.exists()


def test_a_name_planned_already_is_a_400_beside_the_name(client_as, cycle):
    response = client_as("chair").post("/cycles/", {**GOOD, "name": "2026.06"})

    assert response.status_code == 400
    assert "there is a cycle 2026.06 already" in page(response)
    assert Cycle.objects.count() == 1


# Moving the summit


def test_the_chair_moves_the_summit_and_sees_the_milestones_move(client_as, cycle, today):
    response = client_as("chair").post(
        "/cycles/summit/",
        {"name": "2026.06", "summit": "2026-05-31", "reason": "Moved to Vancouver"},
        follow=True,
    )

    assert response.redirect_chain == [("/cycles/2026.06/", 302)]
    html = page(response)
    assert "The summit of 2026.06 is now on 2026-05-31; its milestones moved with it." in html
    assert '<time datetime="2026-02-28">Sat 28 Feb 2026</time>' in html  # the draft, S-3
    assert Cycle.objects.get().summit == date(2026, 5, 31)
    assert Event.objects.get(kind="cycle.summit_set").data["reason"] == "Moved to Vancouver"


def test_the_same_summit_again_says_nothing_changed(client_as, cycle):
    response = client_as("chair").post(
        "/cycles/summit/", {"name": "2026.06", "summit": "2026-03-10"}, follow=True
    )

    assert "The summit of 2026.06 is on 2026-03-10 already." in page(response)
    assert not Event.objects.filter(kind="cycle.summit_set").exists()


@pytest.mark.parametrize("persona", ["anonymous", "reviewer", "member"])
def test_anyone_but_the_chair_may_not_move_a_summit(client_as, persona, cycle):
    response = client_as(persona).post(
        "/cycles/summit/", {"name": "2026.06", "summit": "2026-04-01"}
    )

    assert response.status_code == 403
    assert "Managing the cycle calendar" in page(response)
    assert Cycle.objects.get().summit == SUMMIT


@pytest.mark.parametrize(
    ("summit", "says"),
    [
        ("", "This field is required."),
        ("2026-13-01", "Enter a valid date."),
        ("2026-07-01", "is after June 2026"),
    ],
)
def test_a_bad_summit_is_a_400_on_the_cycle_s_page(client_as, cycle, summit, says):
    response = client_as("chair").post("/cycles/summit/", {"name": "2026.06", "summit": summit})

    assert response.status_code == 400
    html = page(response)
    assert "<h1>Cycle <span" in html
    assert says in html.split('id="id_summit"')[1].split("</div>")[0]
    assert Cycle.objects.get().summit == SUMMIT


def test_a_reason_too_long_is_a_400(client_as, cycle):
    response = client_as("chair").post(
        "/cycles/summit/", {"name": "2026.06", "summit": "2026-04-01", "reason": "x" * 2001}
    )

    assert response.status_code == 400
    assert Cycle.objects.get().summit == SUMMIT


@pytest.mark.parametrize("name", ["", "2027.06", 'a"b\r\n', "2026.06\x00", "x" * 300])
def test_moving_the_summit_of_no_cycle_is_a_404(client_as, cycle, name):
    response = client_as("chair").post("/cycles/summit/", {"name": name, "summit": "2026-04-01"})

    assert response.status_code == 404
    assert Cycle.objects.get().summit == SUMMIT


def test_the_draft_is_linked_once_it_exists(client_as, cycle, demo_draft):
    html = page(client_as("anonymous").get("/cycles/2026.06/"))

    assert 'drafted as <a href="/guidelines/next/"><code>next</code></a>' in html


def test_a_draft_not_started_yet_is_named_without_a_link(client_as, cycle):
    html = page(client_as("anonymous").get("/cycles/2026.06/"))

    assert "drafted as <code>next</code> (not started yet)" in html
