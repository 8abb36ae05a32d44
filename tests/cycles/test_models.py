"""The calendar's invariants hold in the database itself, whatever writes the rows:
one cycle per name, names that are YYYY.MM, summits whose milestones are real
dates, draft names as guidelines have them, and one reminder per milestone."""

import re
from datetime import date

import pytest
from django.db import DataError, IntegrityError, transaction

from cycles.models import Cycle, Reminder
from tests.cycles.factories import CycleFactory

pytestmark = pytest.mark.django_db


def refused(**fields) -> bool:
    try:
        with transaction.atomic():
            CycleFactory(**fields)
    except (IntegrityError, DataError):  # DataError: longer than the column (PostgreSQL)
        return True
    return False


def test_a_well_formed_cycle_is_stored():
    cycle = CycleFactory()

    assert cycle.pk is not None
    assert str(cycle) == "Cycle 2026.06 (summit 2026-03-10)"


def test_two_cycles_cannot_have_the_same_name():
    CycleFactory(name="2026.06")

    assert refused(name="2026.06", summit=date(2026, 4, 1))
    assert not refused(name="2026.12", summit=date(2026, 9, 1))


@pytest.mark.parametrize(
    "name",
    [
        "2026.06\n",
        "2026.13",
        "2026.00",
        "2026.6",
        "26.06",
        "1999.06",
        "2026-06",
        "next",
        "",
    ],
)
def test_a_name_that_is_not_yyyy_mm_is_refused(name):
    assert refused(name=name)


def test_a_name_with_a_trailing_space_is_never_stored_with_it():
    """SQLite's check refuses it; PostgreSQL's varchar(7) drops trailing spaces."""
    refused(name="2026.06 ")

    names = list(Cycle.objects.values_list("name", flat=True))
    assert all(re.fullmatch(r"2[0-9]{3}\.(0[1-9]|1[0-2])", name) for name in names), names


@pytest.mark.parametrize("summit", [date(1998, 12, 31), date(3000, 1, 1), date(1, 1, 1)])
def test_a_summit_whose_milestones_could_not_be_dated_is_refused(summit):
    assert refused(summit=summit)


@pytest.mark.parametrize("key", ["Next", "next draft", "-next", ".next", "next\n"])
def test_a_draft_name_unlike_a_guideline_s_is_refused(key):
    assert refused(guideline_key=key)


@pytest.mark.parametrize("key", ["", "next", "dns.next", "2026.06", "orchestration.next"])
def test_no_draft_or_a_guideline_s_name_is_accepted(key):
    assert not refused(guideline_key=key)


def test_a_milestone_is_reminded_once_per_cycle_and_only_a_milestone_of_2017a():
    cycle = CycleFactory()
    Reminder.objects.create(cycle=cycle, milestone="scoring", milestone_date=date(2026, 2, 10))

    with pytest.raises(IntegrityError), transaction.atomic():
        Reminder.objects.create(cycle=cycle, milestone="scoring", milestone_date=date(2026, 2, 11))
    with pytest.raises(IntegrityError), transaction.atomic():
        Reminder.objects.create(cycle=cycle, milestone="party", milestone_date=date(2026, 2, 11))
    assert Reminder.objects.count() == 1
