"""Committee membership and roles. Ballots, positions and comments come later."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class Role(models.TextChoices):
    MEMBER = "member", "Committee member"
    CHAIR = "chair", "Chair"


class MembershipQuerySet(models.QuerySet):
    def current(self):
        now = timezone.now()
        return self.filter(Q(valid_to__isnull=True) | Q(valid_to__gt=now), valid_from__lte=now)


class Membership(models.Model):
    """A user's seat on the committee. Reviewers are signed-in users without one."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=16, choices=Role.choices)
    affiliation = models.CharField(max_length=200, blank=True)
    valid_from = models.DateTimeField(default=timezone.now)
    # NULL: the seat has no end yet.
    valid_to = models.DateTimeField(null=True, blank=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["user__username", "-valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(role__in=Role.values), name="votes_membership_role_valid"
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gt=models.F("valid_from")),
                name="votes_membership_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()})"
