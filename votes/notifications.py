"""E-mail about ballots: who receives what, and when it is queued.

- When a ballot opens: its electorate (``ballot_opened``).
- A day before it closes: the voters without a position yet, once
  (``claim_reminders``, run every few minutes by Celery beat; the claim is a
  ``ballot.reminded`` event recorded under the ballot's row lock, so two workers
  never both send).
- When it closes: its electorate, with the outcome and the tally (``ballot_closed``).

Only voters with an e-mail address who can still sign in receive mail; each gets
a message of their own (no list of addresses). Mail is sent by the tasks in
``votes.tasks``, queued with ``transaction.on_commit``: a rolled-back change sends
nothing, and a mail server that fails is retried with back-off by the task, never
by the vote (``send`` reports what failed; the task retries those recipients only,
then gives up with a ``notification.failed`` event).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.utils import timezone

from committee.models import Channel, Event
from committee.record import record
from committee.system import system_actor
from guidelines.models import Guideline
from votes.models import Ballot, BallotStatus

logger = logging.getLogger("defcore.notifications")

# A reminder goes this long before the deadline.
REMINDER_BEFORE = timedelta(hours=24)
REMINDED = "ballot.reminded"
OUTCOME_WORDS = {
    BallotStatus.PASSED: "passed",
    BallotStatus.FAILED: "failed",
    BallotStatus.NO_QUORUM: "failed for want of a quorum",
    BallotStatus.WITHDRAWN: "was withdrawn",
}
TALLY_ORDER = ("yes", "no", "abstain", "recuse", "block")

Message = tuple[int, EmailMessage]


# Hooks: the services call these inside their transaction.


def ballot_opened(ballot: Ballot) -> None:
    """Queue the opening e-mail for when the ballot's transaction commits."""
    from votes.tasks import notify_ballot_opened

    _on_commit(notify_ballot_opened, ballot.pk)


def ballot_closed(ballot: Ballot) -> None:
    """Queue the closing e-mail (outcome and tally) for when the closing commits."""
    from votes.tasks import notify_ballot_closed

    _on_commit(notify_ballot_closed, ballot.pk)


def comment_posted(comment) -> None:
    """Queue the e-mail to the thread's other participants (a comment or its id)."""
    from votes.tasks import notify_comment_posted

    _on_commit(notify_comment_posted, getattr(comment, "pk", comment))


def _on_commit(task, *args) -> None:
    def queue():
        try:
            task.delay(*args)
        except Exception:  # a broker that is down must not turn a vote into an error
            logger.exception("could not queue %s%r", task.name, args)

    transaction.on_commit(queue, robust=True)


# Who.


def link(ballot: Ballot) -> str:
    return f"{settings.SITE_URL}/ballots/{ballot.pk}/"


def _reachable(users) -> list:
    return [user for user in users if user.email and user.is_active]


def electorate(ballot: Ballot) -> list:
    users = get_user_model().objects.filter(pk__in=ballot.voters.values("user"))
    return _reachable(users.order_by("username"))


def without_position(ballot: Ballot) -> list:
    """The voters who have not taken a position (yet)."""
    users = (
        get_user_model()
        .objects.filter(pk__in=ballot.voters.values("user"))
        .exclude(pk__in=ballot.positions.filter(current=True).values("voter"))
    )
    return _reachable(users.order_by("username"))


# What.


def _one_line(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _when(moment: datetime) -> str:
    return f"{moment.astimezone(UTC):%Y-%m-%d %H:%M} UTC"


def _messages(users: Iterable, subject: str, body: str, only: Iterable[int] | None) -> list:
    only = None if only is None else set(only)
    return [
        (user.pk, EmailMessage(subject=subject, body=body, to=[user.email]))
        for user in users
        if only is None or user.pk in only
    ]


def opened_messages(ballot: Ballot, only: Iterable[int] | None = None) -> list[Message]:
    if not ballot.is_open:
        return []
    subject = f"[DefCore] Ballot {ballot.pk} is open: {_one_line(ballot.question)}"
    body = (
        f"A ballot on {ballot.guideline.key} is open, and you are in its electorate.\n\n"
        f"{ballot.question}\n\n"
        f"It closes at {_when(ballot.closes_at)}. Quorum: {ballot.quorum}; "
        f"it passes with {ballot.threshold} of the yes, no and block positions, "
        "and no block standing.\n\n"
        f"Take your position: {link(ballot)}\n"
    )
    return _messages(electorate(ballot), subject, body, only)


def reminder_messages(ballot: Ballot, only: Iterable[int] | None = None) -> list[Message]:
    if not ballot.is_open:
        return []
    subject = f"[DefCore] Ballot {ballot.pk} closes soon: {_one_line(ballot.question)}"
    body = (
        f"The ballot on {ballot.guideline.key} closes at {_when(ballot.closes_at)}, "
        "and you have not taken a position yet.\n\n"
        f"{ballot.question}\n\n"
        f"Take your position: {link(ballot)}\n"
    )
    return _messages(without_position(ballot), subject, body, only)


def closed_messages(ballot: Ballot, only: Iterable[int] | None = None) -> list[Message]:
    if ballot.is_open or not ballot.tally:
        return []
    outcome = OUTCOME_WORDS.get(ballot.status, ballot.status)
    tally = ballot.tally
    counts = ", ".join(f"{key} {tally.get(key, 0)}" for key in TALLY_ORDER)
    subject = f"[DefCore] Ballot {ballot.pk} {outcome}: {_one_line(ballot.question)}"
    body = (
        f"The ballot on {ballot.guideline.key} closed at {_when(ballot.closed_at)}: "
        f"it {outcome}.\n\n"
        f"{ballot.question}\n\n"
        f"Tally: {counts}.\n"
        f"Electorate {tally.get('electorate', '?')}, taking part "
        f"{tally.get('taking_part', '?')}, quorum {tally.get('quorum', ballot.quorum)}, "
        f"threshold {tally.get('threshold', ballot.threshold)}.\n"
        + (f"\nReason given: {ballot.close_reason}\n" if ballot.close_reason else "")
        + f"\nThe ballot and its record: {link(ballot)}\n"
    )
    return _messages(electorate(ballot), subject, body, only)


MESSAGES = {
    "opened": opened_messages,
    "reminder": reminder_messages,
    "closed": closed_messages,
}


# Comments (votes.comments).


def comment_link(comment) -> str:
    from votes.comments import comment_path

    return f"{settings.SITE_URL}{comment_path(comment)}"


def comment_messages(comment, only: Iterable[int] | None = None) -> list[Message]:
    """To everyone else who wrote in the thread, with an address; nothing for a
    hidden comment (its body is for chairs only)."""
    from votes.comments import target_label, thread_participants

    if comment.is_hidden:
        return []
    others = [user for user in thread_participants(comment) if user.pk != comment.author_id]
    author = comment.author.get_username()
    where = target_label(comment.target)
    subject = _one_line(f"[DefCore] {author} wrote in a thread on {where}")
    body = (
        f"{author} wrote in a thread you took part in, on {where}:\n\n"
        f"{comment.body}\n\n"
        f"Read and reply: {comment_link(comment)}\n"
    )
    return _messages(_reachable(others), subject, body, only)


# Sending.


def send(messages: list[Message]) -> tuple[int, list[int], str]:
    """Send each message; stop at the first failure. Returns how many went, the
    recipients still to send to (the failed one and those after it), and the error."""
    if not messages:
        return 0, [], ""
    sent = 0
    try:
        with get_connection(fail_silently=False) as connection:
            for _, message in messages:
                message.connection = connection
                message.send()
                sent += 1
    except Exception as exc:
        remaining = [user_id for user_id, _ in messages[sent:]]
        return sent, remaining, f"{type(exc).__name__}: {exc}"[:500]
    return sent, [], ""


def _guideline_key(subject) -> str:
    """The guideline a ballot or a comment concerns, for the record."""
    target = subject if isinstance(subject, Ballot) else subject.target
    if isinstance(target, Guideline):
        return target.key
    if hasattr(target, "capability"):  # a test
        return target.capability.guideline.key
    return target.guideline.key  # a ballot or a capability


def record_failure(subject, which: str, user_ids: list[int], error: str) -> None:
    """The mail server kept failing: say so in the log and the committee's record
    (on the ballot, or the comment, the e-mail was about)."""
    name = subject._meta.model_name
    logger.error(
        "%s %s: the %s e-mail to %d recipients failed for good: %s",
        name,
        subject.pk,
        which,
        len(user_ids),
        error,
    )
    with transaction.atomic():
        record(
            kind="notification.failed",
            actor=system_actor(),
            subject=subject,
            channel=Channel.TASK,
            guideline_key=_guideline_key(subject),
            summary=f"{name.title()} {subject.pk}: the {which} e-mail could not be sent: {error}"[
                :500
            ],
            # No count of recipients: for a reminder it is how many have not voted,
            # which a ballot with hidden positions keeps to itself until it closes.
            data={"notice": which, "error": error},
        )


# Reminders.


def reminders_due(now: datetime | None = None) -> list[int]:
    """Open ballots closing within a day whose reminder has not gone yet. A ballot
    open for a day or less gets none: its opening e-mail said when it closes."""
    now = now or timezone.now()
    candidates = Ballot.objects.filter(
        status=BallotStatus.OPEN, closes_at__gt=now, closes_at__lte=now + REMINDER_BEFORE
    )
    reminded = set(
        Event.objects.filter(
            kind=REMINDED,
            subject_type="ballot",
            subject_id__in=[str(pk) for pk in candidates.values_list("pk", flat=True)],
        ).values_list("subject_id", flat=True)
    )
    return [
        ballot.pk
        for ballot in candidates.only("pk", "opened_at", "closes_at")
        if ballot.closes_at - ballot.opened_at > REMINDER_BEFORE and str(ballot.pk) not in reminded
    ]


def claim_reminders(now: datetime | None = None) -> list[int]:
    """Record and queue the reminder of every ballot that is due, exactly once.

    Each ballot is claimed under its row lock (``skip_locked``: a worker never
    waits for another) by recording ``ballot.reminded``; whoever finds the event
    already there sends nothing. The e-mail is queued when the claim commits."""
    from votes.tasks import notify_ballot_reminder

    now = now or timezone.now()
    claimed = []
    for pk in reminders_due(now):
        with transaction.atomic():
            ballot = (
                Ballot.objects.select_for_update(skip_locked=True)
                .filter(pk=pk, status=BallotStatus.OPEN)
                .select_related("guideline")
                .first()
            )
            if ballot is None:
                continue  # another worker holds it, or it closed meanwhile
            if Event.objects.filter(
                kind=REMINDED, subject_type="ballot", subject_id=str(pk)
            ).exists():
                continue  # another worker reminded already
            record(
                kind=REMINDED,
                actor=system_actor(),
                subject=ballot,
                channel=Channel.TASK,
                guideline_key=ballot.guideline.key,
                summary=f"Ballot {ballot.pk}: reminder sent to the voters without a position",
                data={"closes_at": ballot.closes_at.isoformat()},
            )
            _on_commit(notify_ballot_reminder, ballot.pk)
            claimed.append(pk)
    return claimed
