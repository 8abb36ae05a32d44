"""Planning a cycle and moving its summit: only the chair (or an operator's command),
every change recorded with the dates it implies, and bad input refused with the
field it concerns, changing nothing."""

from datetime import UTC, date, datetime

import pytest
from django.utils import timezone

from committee.errors import Refused
from committee.models import Event
from committee.permissions import NotAllowed
from cycles.errors import CycleInputError
from cycles.models import Cycle
from cycles.services import cycle_create, cycle_set_summit
from guidelines.errors import GuidelineError, status_of
from tests.cycles.conftest import SUMMIT
from tests.factories import SeatFactory, UserFactory

pytestmark = pytest.mark.django_db


def plan(actor, **fields):
    values = {"name": "2026.06", "summit": SUMMIT, "guideline_key": "next", **fields}
    return cycle_create(**values, actor=actor)


def cycle_events():
    return list(Event.objects.filter(subject_type="cycle").order_by("pk"))


# Who may


@pytest.mark.parametrize("persona", ["anonymous", "reviewer", "member"])
def test_only_the_chair_plans_a_cycle(persona, request):
    actor = None if persona == "anonymous" else request.getfixturevalue(persona)

    with pytest.raises(NotAllowed) as refusal:
        plan(actor)

    assert "Managing the cycle calendar is for the chair" in str(refusal.value)
    assert status_of(refusal.value) == 403
    assert not Cycle.objects.exists()
    assert cycle_events() == []


@pytest.mark.parametrize("persona", ["anonymous", "reviewer", "member"])
def test_only_the_chair_moves_a_summit(persona, request, cycle):
    actor = None if persona == "anonymous" else request.getfixturevalue(persona)
    before = cycle_events()

    with pytest.raises(NotAllowed):
        cycle_set_summit(cycle=cycle, summit=date(2026, 4, 1), actor=actor)

    assert Cycle.objects.get().summit == SUMMIT
    assert cycle_events() == before


def test_a_chair_whose_seat_ended_may_not_plan_any_more(chair):
    chair.seats.update(valid_to=timezone.now())

    with pytest.raises(NotAllowed):
        plan(chair)


def test_an_operator_s_command_plans_as_the_system(system):
    cycle = plan(system, channel="command")

    [event] = cycle_events()
    assert cycle.set_by == system
    assert (event.actor, event.channel) == (system, "command")


# What is recorded


def test_planning_records_the_cycle_with_its_milestone_dates(chair):
    cycle = plan(chair)

    assert (cycle.name, cycle.summit, cycle.guideline_key, cycle.set_by) == (
        "2026.06",
        SUMMIT,
        "next",
        chair,
    )
    [event] = cycle_events()
    assert (event.kind, event.actor, event.channel) == ("cycle.created", chair, "web")
    assert (event.subject_id, event.guideline_key) == (str(cycle.pk), "next")
    assert event.summary == "Cycle 2026.06 planned: summit on 2026-03-10"
    assert event.data["summit"] == "2026-03-10"
    assert event.data["milestones"] == {
        "draft": "2025-12-10",
        "new_capabilities": "2026-01-10",
        "scoring": "2026-02-10",
        "review": "2026-03-10",
        "self_testing": "2026-04-10",
        "flagging": "2026-05-10",
        "approval": "2026-06-10",
    }


def test_moving_the_summit_records_from_to_why_and_the_new_dates(cycle):
    cochair = SeatFactory(user=UserFactory(username="cochair"), role="chair").user

    moved = cycle_set_summit(
        cycle=cycle, summit=date(2026, 5, 31), reason="The summit moved to Vancouver", actor=cochair
    )

    assert moved.summit == date(2026, 5, 31)
    assert moved.set_by == cochair
    stored = Cycle.objects.get()
    assert (stored.summit, stored.set_by) == (date(2026, 5, 31), cochair)
    event = cycle_events()[-1]
    assert event.kind == "cycle.summit_set"
    assert event.actor == cochair
    assert event.data["name"] == "2026.06"
    assert event.data["from"] == "2026-03-10"
    assert event.data["to"] == "2026-05-31"
    assert event.data["reason"] == "The summit moved to Vancouver"
    assert event.data["milestones"]["draft"] == "2026-02-28"  # 31 May less three months
    assert event.summary == (
        "Cycle 2026.06: summit moved from 2026-03-10 to 2026-05-31 (The summit moved to Vancouver)"
    )


def test_the_same_summit_again_changes_and_records_nothing(cycle, chair):
    before = (cycle_events(), Cycle.objects.get().set_at)

    cycle_set_summit(cycle=cycle, summit=SUMMIT, actor=chair)

    assert (cycle_events(), Cycle.objects.get().set_at) == before


def test_a_refused_change_records_nothing_and_leaves_the_cycle_as_it_was(cycle, chair):
    before = cycle_events()

    with pytest.raises(CycleInputError):
        cycle_set_summit(cycle=cycle, summit=date(2027, 1, 1), actor=chair)

    assert Cycle.objects.get().summit == SUMMIT
    assert cycle_events() == before


# Bad input, each named by its field


@pytest.mark.parametrize(
    ("fields", "field", "says"),
    [
        ({"name": "2026.6"}, "name", "YYYY.MM"),
        ({"name": "2026.13"}, "name", "no month 13"),
        ({"name": "2026.00"}, "name", "no month 00"),
        ({"name": "2014.06", "summit": date(2014, 3, 1)}, "name", "from 2015"),
        ({"name": "2100.01", "summit": date(2099, 10, 1)}, "name", "to 2099"),
        ({"name": ""}, "name", "YYYY.MM"),
        ({"name": None}, "name", "YYYY.MM"),
        ({"name": "2026.06\x00"}, "name", "YYYY.MM"),
        ({"name": "٢٠٢٦.٠٦"}, "name", "YYYY.MM"),  # digits, but not 0-9
        ({"summit": "2026-03-10"}, "summit", "YYYY-MM-DD"),
        ({"summit": None}, "summit", "YYYY-MM-DD"),
        ({"summit": datetime(2026, 3, 10, 12, 0, tzinfo=UTC)}, "summit", "YYYY-MM-DD"),
        ({"summit": date(2026, 7, 1)}, "summit", "after June 2026"),
        ({"summit": date(2025, 5, 31)}, "summit", "more than 12 months before June 2026"),
        ({"summit": date(1, 1, 1)}, "summit", "more than 12 months"),
        ({"guideline_key": "Next"}, "guideline", "lower-case"),
        ({"guideline_key": "next draft"}, "guideline", "lower-case"),
        ({"guideline_key": "x" * 101}, "guideline", "at most 100"),
        ({"guideline_key": 7}, "guideline", "lower-case"),
    ],
)
def test_bad_input_is_refused_naming_its_field_and_nothing_is_stored(chair, fields, field, says):
    with pytest.raises(CycleInputError) as refusal:
        plan(chair, **fields)

    assert says in refusal.value.problems[field]
    assert str(refusal.value).startswith(f"{field}: ")
    assert isinstance(refusal.value, GuidelineError) and status_of(refusal.value) == 400
    assert not Cycle.objects.exists()
    assert cycle_events() == []


def test_every_problem_is_reported_at_once(chair):
    with pytest.raises(CycleInputError) as refusal:
        plan(chair, name="2026.6", summit="soon", guideline_key="A B")

    assert sorted(refusal.value.problems) == ["guideline", "name", "summit"]


def test_the_summit_may_be_any_day_of_the_12_months_up_to_the_name_s_month(chair):
    plan(chair, name="2026.06", summit=date(2025, 6, 1))
    plan(chair, name="2026.12", summit=date(2026, 12, 31))

    assert sorted(Cycle.objects.values_list("name", flat=True)) == ["2026.06", "2026.12"]


def test_a_name_is_planned_once_and_the_second_is_told_where_to_go(chair, cycle):
    with pytest.raises(CycleInputError) as refusal:
        plan(chair, summit=date(2026, 4, 1))

    assert refusal.value.problems == {
        "name": "there is a cycle 2026.06 already: change its summit on its page"
    }
    assert Cycle.objects.count() == 1


def test_spaces_around_the_name_and_the_draft_are_dropped(chair):
    cycle = plan(chair, name=" 2026.06 ", guideline_key=" next ")

    assert (cycle.name, cycle.guideline_key) == ("2026.06", "next")


def test_no_draft_named_is_allowed(chair):
    assert plan(chair, guideline_key="").guideline_key == ""


def test_a_reason_longer_than_2000_characters_is_refused(cycle, chair):
    with pytest.raises(CycleInputError) as refusal:
        cycle_set_summit(cycle=cycle, summit=date(2026, 4, 1), reason="x" * 2001, actor=chair)

    assert "2000 characters" in refusal.value.problems["reason"]


def test_every_refusal_is_a_refused_the_pages_and_the_api_know(chair):
    with pytest.raises(Refused):
        plan(chair, name="x")
