"""Who may do what: the one place that answers it.

Every write service, in every app, calls ``require(actor, Action.X)`` before it
changes anything; pages call ``may`` only so as not to offer a control the
service would refuse. The answer is the actor's *standing*, read from their
current seat (``committee.models.Seat``):

- anonymous: not signed in;
- reviewer: signed in without a seat; reads and (later) comments;
- member and chair: the committee;
- system: the command line (``committee.system``), for what operators run.

Beside the seats, the foundation's *staff* (Django's ``is_staff``, granted by
operators in ``/admin/``) approve vendors and verify test runs: a rule says
whether the staff may perform it, whatever their seat. What belongs to someone (a
vendor, a signed run) is checked by the service that changes it, after ``require``.

What a guideline's state allows (a published guideline changes only by flags,
scores freeze after the draft...) is not decided here: that is the process
rules' business (``guidelines.lifecycle``), checked by the same services under
the guideline's row lock. Django's model permissions are left to operators in
``/admin/``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from committee.errors import Refused
from committee.models import Role, Seat
from committee.system import is_system


class Standing(StrEnum):
    ANONYMOUS = "anonymous"
    REVIEWER = "reviewer"
    MEMBER = "member"
    CHAIR = "chair"
    SYSTEM = "system"


COMMITTEE = frozenset({Standing.MEMBER, Standing.CHAIR})
CHAIR = frozenset({Standing.CHAIR})


class Action(StrEnum):
    GUIDELINE_STORE = "guideline.store"
    DRAFT_START = "draft.start"
    GUIDELINE_MOVE = "guideline.move"
    CAPABILITY_PROPOSE = "capability.propose"
    CAPABILITY_EDIT = "capability.edit"
    TEST_FLAG = "test.flag"
    TEST_UNFLAG = "test.unflag"
    SCORE = "score"
    CONSENSUS_SET = "consensus.set"
    CRITERION_EDIT = "criterion.edit"
    WORKSHEET_IMPORT = "worksheet.import"
    FINDING_OVERRIDE = "finding.override"
    LOG_READ = "log.read"
    BALLOT_OPEN = "ballot.open"
    BALLOT_CLOSE = "ballot.close"
    POSITION_SET = "position.set"
    SEAT_MANAGE = "seat.manage"
    TOKEN_MANAGE = "token.manage"
    COMMENT = "comment"
    COMMENT_HIDE = "comment.hide"
    GUIDELINE_APPROVE = "guideline.approve"
    RELEASE_RETRY = "release.retry"
    CYCLE_MANAGE = "cycle.manage"
    PUBKEY_MANAGE = "pubkey.manage"
    VENDOR_CREATE = "vendor.create"
    VENDOR_MANAGE = "vendor.manage"
    VENDOR_APPROVE = "vendor.approve"
    VENDOR_JOIN = "vendor.join"
    RUN_MANAGE = "run.manage"
    RUN_VERIFY = "run.verify"


@dataclass(frozen=True)
class Rule:
    label: str  # what the refusal calls the action: "Setting the consensus score"
    standings: frozenset[Standing]  # who may
    staff: bool = False  # the foundation's staff may too, whatever their seat

    @property
    def who(self) -> str:
        if Standing.REVIEWER in self.standings:
            return "anyone signed in"
        if self.standings <= {Standing.SYSTEM}:
            return "the foundation's staff"
        return "committee members" if Standing.MEMBER in self.standings else "the chair"

    def allows(self, standing: Standing, *, staff: bool = False) -> bool:
        return standing in self.standings or (self.staff and staff)


SIGNED_IN = frozenset({Standing.REVIEWER}) | COMMITTEE


# The declared table: every action any service performs, and who may perform it.
RULES: dict[Action, Rule] = {
    Action.GUIDELINE_STORE: Rule("Storing a whole guideline document", CHAIR | {Standing.SYSTEM}),
    Action.DRAFT_START: Rule("Starting a draft", COMMITTEE | {Standing.SYSTEM}),
    Action.GUIDELINE_MOVE: Rule("Moving a guideline to another status", CHAIR | {Standing.SYSTEM}),
    Action.CAPABILITY_PROPOSE: Rule("Proposing a capability", COMMITTEE),
    Action.CAPABILITY_EDIT: Rule("Editing a capability", COMMITTEE),
    Action.TEST_FLAG: Rule("Flagging a test", COMMITTEE),
    Action.TEST_UNFLAG: Rule("Unflagging a test", COMMITTEE),
    Action.SCORE: Rule("Scoring", COMMITTEE),
    Action.CONSENSUS_SET: Rule("Setting the consensus score", CHAIR),
    Action.CRITERION_EDIT: Rule("Changing criteria and weights", CHAIR),
    Action.WORKSHEET_IMPORT: Rule("Importing a scoring worksheet", CHAIR | {Standing.SYSTEM}),
    Action.FINDING_OVERRIDE: Rule("Overriding a process finding", CHAIR),
    # The whole record, hidden ballots' positions included: the chair's.
    Action.LOG_READ: Rule("Browsing the committee's event log", CHAIR),
    Action.BALLOT_OPEN: Rule("Opening a ballot", CHAIR),
    # The periodic task closes ballots at their deadline, as the system.
    Action.BALLOT_CLOSE: Rule("Closing a ballot", CHAIR | {Standing.SYSTEM}),
    # And only as one of the ballot's electorate (votes.services).
    Action.POSITION_SET: Rule("Taking a position on a ballot", COMMITTEE),
    # Seating and unseating: the chair on the seats page, operators with `manage.py seat`.
    Action.SEAT_MANAGE: Rule("Managing seats on the committee", CHAIR | {Standing.SYSTEM}),
    # Each person their own token only (committee.services): a reviewer's too.
    Action.TOKEN_MANAGE: Rule(
        "Managing your API token", frozenset({Standing.REVIEWER}) | COMMITTEE
    ),
    # Posting and replying; editing only one's own, resolving one's own or as the
    # chair (votes.comments checks the author).
    Action.COMMENT: Rule("Commenting", frozenset({Standing.REVIEWER}) | COMMITTEE),
    # Hidden, never deleted: with who and why.
    Action.COMMENT_HIDE: Rule("Hiding a comment", CHAIR),
    # After a passed approval ballot; operators record history approved elsewhere.
    Action.GUIDELINE_APPROVE: Rule("Approving a guideline", CHAIR | {Standing.SYSTEM}),
    Action.RELEASE_RETRY: Rule("Retrying a publishing step", CHAIR | {Standing.SYSTEM}),
    # Setting a cycle's summit date, from which its milestones follow.
    Action.CYCLE_MANAGE: Rule("Managing the cycle calendar", CHAIR | {Standing.SYSTEM}),
    # Vendors sign their test runs with their own keys (compliance.services).
    Action.PUBKEY_MANAGE: Rule("Managing your public keys", SIGNED_IN),
    # Vendors and their products: the vendor's own admins (compliance.services checks
    # that they are) and the staff; the staff alone make a vendor official.
    Action.VENDOR_CREATE: Rule("Registering a vendor", SIGNED_IN, staff=True),
    Action.VENDOR_MANAGE: Rule("Managing a vendor and its products", SIGNED_IN, staff=True),
    # Nobody is made a vendor's admin without saying yes (compliance.services.vendors).
    Action.VENDOR_JOIN: Rule("Answering an invitation to a vendor", SIGNED_IN),
    Action.VENDOR_APPROVE: Rule("Approving a vendor", frozenset({Standing.SYSTEM}), staff=True),
    # A signed run's owner shares it and links it to a product; the staff verify it.
    Action.RUN_MANAGE: Rule("Sharing and linking a test run", SIGNED_IN, staff=True),
    Action.RUN_VERIFY: Rule("Verifying a test run", frozenset({Standing.SYSTEM}), staff=True),
}


class NotAllowed(Refused):
    """The actor's standing does not allow the action; the message says who may."""

    def __init__(self, message: str, *, action: Action | None = None):
        super().__init__(message)
        self.action = action


def standing_of(user) -> Standing:
    """The actor's standing now. ``None`` is nobody: anonymous, never "anyone"."""
    if user is None or not user.is_authenticated:
        return Standing.ANONYMOUS
    if is_system(user):
        return Standing.SYSTEM
    roles = set(Seat.objects.current().filter(user=user).values_list("role", flat=True))
    if Role.CHAIR in roles:
        return Standing.CHAIR
    if Role.MEMBER in roles:
        return Standing.MEMBER
    return Standing.REVIEWER


def standing_in(request) -> Standing:
    """The signed-in person's standing, read once per request for the pages.

    Pages ask it to decide which controls to offer; services never use it:
    they read the standing afresh, in their transaction.
    """
    if not hasattr(request, "_committee_standing"):
        request._committee_standing = standing_of(getattr(request, "user", None))
    return request._committee_standing


def is_staff(user) -> bool:
    """The foundation's staff: an active account operators made staff."""
    return bool(user is not None and user.is_authenticated and user.is_active and user.is_staff)


def may(user, action: Action, *, standing: Standing | None = None) -> bool:
    """Whether ``user`` may perform ``action``; pass ``standing`` if already known."""
    return RULES[action].allows(standing or standing_of(user), staff=is_staff(user))


def require(user, action: Action) -> Standing:
    """Refuse with NotAllowed unless ``user`` may perform ``action``; their standing if so."""
    standing = standing_of(user)
    rule = RULES[action]
    if rule.allows(standing, staff=is_staff(user)):
        return standing
    if standing == Standing.ANONYMOUS:
        raise NotAllowed(f"{rule.label} is for {rule.who}: sign in first.", action=action)
    raise NotAllowed(
        f"{rule.label} is for {rule.who}; you are signed in as a {standing}.", action=action
    )
