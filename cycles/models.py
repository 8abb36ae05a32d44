"""A guideline cycle: its name and its summit date. Its milestones are derived
(``cycles.timeline``), never stored, so that moving the summit moves them all."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from cycles.timeline import STEP_KEYS

# \A and \Z, not ^ and $: "$" also matches before a final newline in Python's re
# (SQLite's REGEXP), and both PostgreSQL and Python read \A and \Z alike.
# YYYY.MM, the guideline's name (2017A D4): a year of this millennium, a month 01 to 12.
NAME_PATTERN = r"\A2[0-9]{3}\.(0[1-9]|1[0-2])\Z"
# A guideline's key as the importer stores them: next, dns.next, 2026.06.
GUIDELINE_KEY_PATTERN = r"\A[a-z0-9][a-z0-9._-]*\Z"
# Every stored summit is one whose milestones (three months either side) are real
# dates: the services bound it more tightly (the 12 months up to the name's month).
EARLIEST_SUMMIT = date(1999, 1, 1)
LATEST_SUMMIT = date(2999, 12, 31)


class Cycle(models.Model):
    """The cycle that leads to one guideline: the chair sets the summit date, and
    the draft, scoring, review, self-testing, flagging and approval follow from it."""

    # The guideline the cycle leads to, named for the month the Board is to approve
    # it (2017A D4): "2026.06".
    name = models.CharField(max_length=7)
    summit = models.DateField()
    # The draft the cycle prepares ("next", "dns.next"); "" when none is named. Not a
    # foreign key: "next" is renamed at approval and started afresh for the next cycle,
    # and a cycle may be planned before its draft exists.
    guideline_key = models.CharField(max_length=100, blank=True)
    # Who set the summit date last, and when (the event log keeps every change).
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-summit", "-name"]
        constraints = [
            models.UniqueConstraint(fields=["name"], name="cycles_cycle_name_unique"),
            models.CheckConstraint(
                condition=Q(name__regex=NAME_PATTERN), name="cycles_cycle_name_yyyy_mm"
            ),
            models.CheckConstraint(
                condition=Q(summit__gte=EARLIEST_SUMMIT, summit__lte=LATEST_SUMMIT),
                name="cycles_cycle_summit_in_range",
            ),
            models.CheckConstraint(
                condition=Q(guideline_key="") | Q(guideline_key__regex=GUIDELINE_KEY_PATTERN),
                name="cycles_cycle_guideline_key_format",
            ),
        ]

    def __str__(self) -> str:
        return f"Cycle {self.name} (summit {self.summit:%Y-%m-%d})"


class Reminder(models.Model):
    """The reminder of one milestone of one cycle, claimed once.

    The row is the claim (``cycles.notifications.claim_reminders``): two workers
    that both find a milestone due cannot both insert it, so the committee is
    reminded once, whatever happens to the summit date afterwards.
    """

    cycle = models.ForeignKey(Cycle, on_delete=models.PROTECT, related_name="reminders")
    milestone = models.CharField(max_length=32)
    # The milestone's date when the reminder was claimed: what the e-mail announces.
    milestone_date = models.DateField()
    claimed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-claimed_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "milestone"], name="cycles_reminder_once_per_milestone"
            ),
            models.CheckConstraint(
                condition=Q(milestone__in=STEP_KEYS), name="cycles_reminder_milestone_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.cycle.name} {self.milestone} ({self.milestone_date:%Y-%m-%d})"
