"""The committee's people: who holds a seat, as what, from when to when.

Everyone else is a reviewer (signed in, no seat) or anonymous. The one place
that turns a seat into "may do this" is ``committee.permissions``.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class Role(models.TextChoices):
    MEMBER = "member", "Committee member"
    CHAIR = "chair", "Chair"


class SeatQuerySet(models.QuerySet):
    def current(self):
        now = timezone.now()
        return self.filter(Q(valid_to__isnull=True) | Q(valid_to__gt=now), valid_from__lte=now)


class Seat(models.Model):
    """A user's seat on the committee, as a member or the chair, for a period.

    Seats are not deleted when they end: ``valid_to`` closes them, so the
    history of who sat when stays.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="seats"
    )
    role = models.CharField(max_length=16, choices=Role.choices)
    # The organisation the person works for: what a conflict of interest is judged by.
    affiliation = models.CharField(max_length=200, blank=True)
    valid_from = models.DateTimeField(default=timezone.now)
    # NULL: the seat has no end yet.
    valid_to = models.DateTimeField(null=True, blank=True)

    objects = SeatQuerySet.as_manager()

    class Meta:
        ordering = ["user__username", "-valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(role__in=Role.values), name="committee_seat_role_valid"
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gt=models.F("valid_from")),
                name="committee_seat_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()})"
