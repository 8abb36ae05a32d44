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


class Channel(models.TextChoices):
    """Where a change came from (CONSUL #6534: an audit says web, API or command)."""

    WEB = "web", "Web"
    API = "api", "API"
    COMMAND = "command", "Command line"
    TASK = "task", "Scheduled task"


class Event(models.Model):
    """One state change of the committee's work, append-only: who, when, through
    what, on what, and what changed.

    Seats, API tokens, ballots, positions and comments record here, in the same
    transaction as the change (``committee.record.record``). Guideline changes
    keep their own log (``guidelines.GuidelineEvent``), which the public reads.
    """

    at = models.DateTimeField(default=timezone.now, db_index=True)
    # Dotted, subject first: "seat.granted", "ballot.opened", "position.set".
    kind = models.CharField(max_length=64, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    channel = models.CharField(max_length=16, choices=Channel.choices)
    subject_type = models.CharField(max_length=32)
    subject_id = models.CharField(max_length=64)
    # The guideline the change concerns, if any: for filtering the log.
    guideline_key = models.CharField(max_length=100, blank=True, db_index=True)
    summary = models.CharField(max_length=500)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["subject_type", "subject_id"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(channel__in=Channel.values), name="committee_event_channel_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.kind} by {self.actor}: {self.summary}"


class Webhook(models.Model):
    """A subscriber's endpoint: every matching event is POSTed to it, signed with its
    secret (``committee.webhooks``). Operators manage them in the admin."""

    url = models.URLField(max_length=500, help_text="http:// or https:// address to POST to")
    secret = models.CharField(
        max_length=200, help_text="Shared with the subscriber: the key of the HMAC-SHA256 signature"
    )
    # Comma-separated prefixes of event kinds ("ballot., position.set"); empty: every event.
    kinds = models.CharField(
        max_length=500,
        blank=True,
        help_text='Event kinds or prefixes, comma-separated ("ballot., seat."); empty: all',
    )
    active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["url", "pk"]

    def __str__(self) -> str:
        return self.url

    @property
    def kind_prefixes(self) -> list[str]:
        return [part.strip() for part in self.kinds.split(",") if part.strip()]

    def wants(self, kind: str) -> bool:
        prefixes = self.kind_prefixes
        return not prefixes or any(kind.startswith(prefix) for prefix in prefixes)


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    DELIVERED = "delivered", "Delivered"
    FAILED = "failed", "Failed (gave up)"


class Delivery(models.Model):
    """One event sent to one webhook: created with the event, in its transaction,
    then attempted by a Celery task until it is delivered or the attempts run out.
    Every attempt is kept in ``attempt_log``."""

    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="deliveries")
    status = models.CharField(
        max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    response_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    next_attempt_at = models.DateTimeField(null=True, blank=True, db_index=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    # One entry per attempt: {"attempt", "at", "code", "error", "ms"}.
    attempt_log = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "deliveries"
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=DeliveryStatus.values),
                name="committee_delivery_status_valid",
            ),
            models.UniqueConstraint(
                fields=["webhook", "event"], name="committee_delivery_once_per_event"
            ),
        ]

    def __str__(self) -> str:
        return f"Delivery {self.pk}: {self.event.kind} to {self.webhook} ({self.status})"
