"""Who may write what, route by route: every write route of the site, API and web.

The routes come from the URL configuration itself: a probe sends every write
method to every route and keeps those that do not answer 405. That set must be
exactly the keys of MATRIX below, so a new write route without an entry fails
here, and so does an entry whose route went away.

Each entry says how to make a valid request of the route and what each persona
gets: anonymous, a reviewer (signed in, no seat), a member, the chair and the
foundation's staff (no seat; they approve vendors and verify runs). Vendors and
signed runs are someone's: the member administers the world's vendors and owns
its signed run, and the entries of those routes say so (``owner``). A
refusal must leave everything as it was; a success must change something. The
entries also name the ``committee.permissions.Action`` the route performs, and
must agree with ``RULES``.

Everything runs on the project's own demo guideline (2026.06, its DNS add-on
and the draft ``next`` started from 2026.06): no data from outside the repository.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from capabilities.forms import CapabilityForm
from capabilities.models import Consensus, Lineage, Score, Worksheet
from capabilities.selectors import draft_findings
from capabilities.services import capability_snapshot, scores_cast, worksheet_import
from committee.models import Seat
from committee.permissions import RULES, Action, Standing
from compliance.models import VendorInvitation
from guidelines.models import (
    Capability,
    ComponentEntry,
    Criterion,
    Guideline,
    GuidelineEvent,
    RuleOverride,
    Test,
)
from guidelines.serving import CACHE
from tests.conftest import DEMO
from tests.guidelines.helpers import import_file
from votes.comments import comment_post, comment_resolve
from votes.models import Ballot, Comment, Position

pytestmark = pytest.mark.django_db

PERSONAS = ("anonymous", "reviewer", "member", "chair", "staff")
WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
PASSWORD = "a-long-password-9"  # tests.factories.UserFactory's

# The world every request is made in, and the requests.


@dataclass
class World:
    draft: Guideline  # "next", started from the demo 2026.06
    capability: Capability  # compute-servers-list in the draft
    test: Test  # its flagged test: flagging changes the flag, unflagging removes it
    criterion: Criterion  # "doc" of the draft
    worksheet: str  # a worksheet's name in the draft
    finding: Any  # a process finding on the draft (rules.Finding), not overridden
    users: dict[str, Any]  # persona -> user (None for anonymous)
    run: Any  # the member's signed run, linked to a listed product, compliant with 2026.06
    other_version: Any  # another version of that product, to link the run to

    def version(self) -> int:
        """The capability's version now: the one an editor read."""
        return Capability.objects.get(pk=self.capability.pk).version


CAPABILITY = "compute-servers-list"
WORKSHEET = (
    # compute-servers-create is required; these scores give it 52, under the
    # cut-off of 74: a 2017A A4.4 finding for the chair to override.
    "compute-servers-list:   [1,1,1] [1,1,1] [1,1,1] [1,1,1] [1]\n"
    "compute-servers-create: [1,1,1] [1,1,1] [0,0,0] [0,0,0] [1]\n"
)


# Request bodies: JSON to the API, form fields to the pages. A dict is sent as it is;
# a callable of the world gives what depends on it (ids, versions, ETags).

TEST_ID = "id-11111111-2222-3333-4444-555555555555"
RESCUE = "tempest.api.compute.servers.test_rescue.RescueTest.test_rescue"
PREDECESSOR = "compute-servers-create"  # a capability of 2026.06, which next replaces
RENAMED = "compute-servers-list-all"

DRAFT = {"source": "dns.2026.06"}  # an approved add-on: its draft is dns.next
DRAFT_FORM = {"family": "dns"}
TO_REVIEW = {"status": "review", "reason": "Ready for the committee's review"}
FLAG = {"date": "2026-11-25", "reason": "[D404] Fails on some clouds", "action": "Fix the test"}
MOVE = {"component": "os_powered_compute", "status": "deprecated"}
RENAME = {"key": RENAMED}
LINEAGE = {"predecessors": [PREDECESSOR]}
LINEAGE_FORM = {"predecessors": PREDECESSOR}
SCORES = {"values": {"doc": "0", "non-admin": "1"}}
SCORE = {"value": "0"}  # on the criterion in the URL, doc
CONSENSUS_FORM = {"doc": "0"}
WEIGHT = {"weight": 9}
UPLOAD = {"name": "round-2.txt", "text": WORKSHEET}
SIGN_IN = {"username": "reviewer", "password": PASSWORD}
SEAT_FORM = {"username": "newcomer", "role": "member", "affiliation": "Example Cloud", "email": ""}
SEAT_END = {"reason": "Term ended"}  # the member's seat, as the URL says


def proposal(w: World) -> dict:
    return {
        "key": "compute-servers-rescue",
        "component": "os_powered_compute",
        "project": "nova",
        "description": "Rescue a server",
        "tests": [{"name": RESCUE, "idempotent_id": TEST_ID}],
    }


def proposal_form(w: World) -> dict:
    return {**proposal(w), "status": "advisory", "tests": f"{RESCUE} {TEST_ID}\n"}


def edit(w: World) -> dict:
    return {"version": w.version(), "description": "List servers, briefly"}


def edit_form(w: World) -> dict:
    """The edit form as the page fills it, with a new description."""
    shown = CapabilityForm.initial_from(capability_snapshot(w.capability))
    return {**shown, **edit(w)}


def move_form(w: World) -> dict:
    return {**MOVE, "version": w.version()}


def rename_form(w: World) -> dict:
    return {"new_key": RENAMED, "version": w.version()}


def score_form(w: World) -> dict:
    """Every criterion and Non-Admin, recorded as a whole worksheet line."""
    values = dict.fromkeys(w.draft.criteria.values_list("key", flat=True), "1")
    return {**values, "non-admin": "1", "whole_line": "on", "note": ""}


def override(w: World) -> dict:
    return {"rule": w.finding.rule, "subject": w.finding.subject, "justification": "Accepted"}


def with_tokens(w: World) -> dict:
    """Everyone has an API token already: revoking has something to revoke."""
    for user in w.users.values():
        if user is not None:
            Token.objects.get_or_create(user=user)
    return {}


def own_comment(w: World) -> Comment:
    """The persona's own comment on the capability (a member's for anonymous): the
    author edits, resolves and reopens their own; ``world.persona`` says whose."""
    author = w.users[getattr(w, "persona", "chair")] or w.users["member"]
    found = Comment.objects.filter(author=author, capability=w.capability).first()
    return found or comment_post(target=w.capability, body="Why list?", actor=author)


def resolved(w: World) -> dict:
    """Reopening needs a resolved comment."""
    comment = own_comment(w)
    comment_resolve(comment=comment, actor=comment.author)
    return {}


def reply(w: World) -> dict:
    return {"parent": own_comment(w).pk, "body": "Because *tooling* needs it."}


def thread_form(w: World) -> dict:
    return {"target_type": "capability", "target_id": str(w.capability.pk), "body": "Hm?"}


def open_ballot(w: World):
    """An open question on the draft, its electorate the member and the chair."""
    from votes.services import ballot_open

    found = Ballot.objects.filter(status="open").first()
    return found or ballot_open(
        guideline=w.draft,
        kind="question",
        question="Keep compute-servers-list required?",
        closes_at=timezone.now() + timedelta(days=3),
        actor=w.users["chair"],
    )


def ballot_opening(w: World) -> dict:
    return {
        "guideline": w.draft.key,
        "kind": "question",
        "question": "Open for review?",
        "closes_at": (timezone.now() + timedelta(days=3)).isoformat(),
    }


def ballot_form(w: World) -> dict:
    return {
        "kind": "question",
        "question": "Open for review?",
        "closes_at": (timezone.now() + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M"),
        "positions_visible": "on",
    }


POSITION = {"position": "yes"}
CLOSING = {"reason": "The committee met early."}

COMMENT_EDIT = {"body": "Why list them all?"}
COMMENT_HIDE = {"reason": "Off topic"}


def read_document(w: World):
    response = APIClient().get(f"/api/v1/guidelines/{w.draft.key}")
    assert response.status_code == 200, response.content
    return response


def document(w: World) -> dict:
    """The draft's document as read, with one more release."""
    read = json.loads(read_document(w).content)
    read["metadata"]["os_trademark_approval"]["releases"].append("2026.2")
    return read


def if_match(w: World) -> dict:
    """Replacing a document needs the ETag of the one read."""
    return {"HTTP_IF_MATCH": read_document(w)["ETag"]}


# The cycle calendar (cycles): planning 2026.12, and moving the summit of 2026.06.
CYCLE_FORM = {"name": "2026.12", "summit": "2026-09-10", "guideline": "next"}


def summit_form(w: World) -> dict:
    """2026.06 is planned (summit 10 March 2026); the form moves its summit."""
    from datetime import date

    from cycles.models import Cycle
    from cycles.services import cycle_create

    if not Cycle.objects.filter(name="2026.06").exists():
        cycle_create(name="2026.06", summit=date(2026, 3, 10), actor=w.users["chair"])
    return {"name": "2026.06", "summit": "2026-04-01", "reason": "The summit moved"}


# Publishing (releases): the draft approved as 2026.09; a release with a failed step.
RELEASE = "2026.09"


def approval(w: World) -> dict:
    """The draft made ready: its findings answered and an approval ballot passed."""
    from tests.releases.helpers import override_all, passed_ballot

    override_all(w.draft, w.users["chair"])
    ballot = passed_ballot(w.draft, w.users["chair"], w.users["member"])
    return {"name": RELEASE, "ballot": ballot.pk}


def failed_step(w: World) -> dict:
    """2026.09 approved (as operators record history), its bundle step failed."""
    from committee.system import system_actor
    from releases.models import PublishingStep, Release
    from releases.services import guideline_approve

    if not Release.objects.filter(guideline__key=RELEASE).exists():
        from tests.releases.helpers import override_all

        override_all(w.draft, w.users["chair"])
        guideline_approve(
            draft=w.draft,
            name=RELEASE,
            actor=system_actor(),
            approved_elsewhere="The Board, 2026-09-01",
        )
    PublishingStep.objects.filter(release__guideline__key=RELEASE, name="bundle").update(
        status="failed", error="OSError: no space left"
    )
    return {}


# Compliance: refstack-client's uploads (anyone) and the vendors' own public keys.
def a_run_body(w: World) -> dict:
    return {
        "cpid": "cloud-1",
        "duration_seconds": 60,
        "results": [{"name": "tempest.api.t", "uuid": "97e794b1-0678-5867-b844-677c2fba2daa"}],
    }


def a_subunit_stream(w: World) -> bytes:
    """One passed test, as tempest's subunit v2 stream."""
    from tests.compliance.test_report import subunit_stream

    return subunit_stream([("tempest.api.t[id-97e794b1-0678-5867-b844-677c2fba2daa]", "success")])


def a_key(w: World) -> dict:
    from tests.compliance.helpers import public_key, sign

    return {"raw_key": public_key(), "self_signature": sign(b"signature")}


def own_key(w: World):
    """A key of the persona's own (the member's for nobody), to remove."""
    from compliance.models import PublicKey
    from compliance.services import pubkey_register
    from tests.compliance.helpers import public_key, sign

    owner = w.users.get(getattr(w, "persona", "member")) or w.users["member"]
    found = PublicKey.objects.filter(user=owner).first()
    return found or pubkey_register(
        user=owner, raw_key=public_key(), self_signature=sign(b"signature")
    )


def shared_first(w: World) -> None:
    """Making a run private needs a shared one."""
    from compliance.models import TestRun

    TestRun.objects.filter(pk=w.run.pk).update(shared=True)


def link_form(w: World) -> dict:
    return {"product_version": str(w.other_version.pk)}


def link_body(w: World) -> dict:
    return {"product_version_id": str(w.other_version.pk)}


VERIFY = {"guideline": "2026.06", "target": "platform"}
NEW_VENDOR = {"name": "New Vendor", "description": "", "url": ""}
NEW_PRODUCT = {"name": "New Product", "kind": "distribution", "description": "", "url": ""}
NEW_VERSION = {"version": "3.0", "cpid": ""}
OWNED_API = (Action.RUN_MANAGE, (401, 403, 200, 403))
OWNED_RUN = (Action.RUN_MANAGE, (403, 403, 302, 403))
# A private vendor is not there for those who do not administer it: 404, as its page.
OWNED_VENDOR = (Action.VENDOR_MANAGE, (403, 404, 302, 404))
BY_MEMBER = {"staff": 302, "owner": "member"}
STAFF_ONLY = (403, 403, 403, 403)
SIGNED_IN = (403, 302, 302, 302)


Body = dict | bytes | Callable[[World], dict | None] | None


@dataclass(frozen=True)
class Write:
    action: Action | None  # what the route performs; None: not the committee's business
    statuses: tuple[int, ...]  # what anonymous, a reviewer, a member, the chair get
    body: Body = None
    headers: Body = None
    changes: bool = True  # whether a success changes the guidelines (signing in does not)
    staff: int | None = None  # what the staff get; by default, what a reviewer gets
    owner: str | None = None  # the persona whose vendor or run the route changes

    def expected(self, persona: str) -> int:
        if persona == "staff":
            return self.statuses[1] if self.staff is None else self.staff
        return self.statuses[PERSONAS.index(persona)]


def made(body: Body, world: World) -> dict | None:
    return body(world) if callable(body) else body


A = Action
# (route, method) -> the action, what (anonymous, reviewer, member, chair) get, the body.
# The API answers an anonymous write 401 (TokenAuthentication offers a WWW-Authenticate
# header) and a signed-in user without the standing 403; the pages answer both with a
# 403 page, and a form that saved redirects (302).
MATRIX: dict[tuple[str, str], Write] = {
    # The API, /api/v1/: guidelines and flags
    ("api:drafts", "POST"): Write(A.DRAFT_START, (401, 403, 201, 201), DRAFT),
    ("api:guideline-move", "POST"): Write(A.GUIDELINE_MOVE, (401, 403, 403, 200), TO_REVIEW),
    ("api:guideline-document", "PUT"): Write(
        A.GUIDELINE_STORE, (401, 403, 403, 200), document, headers=if_match
    ),
    ("api:test-flag", "PUT"): Write(A.TEST_FLAG, (401, 403, 200, 200), FLAG),
    ("api:test-flag", "DELETE"): Write(A.TEST_UNFLAG, (401, 403, 200, 200)),
    # The API: the drafting workspace
    ("api:capability-propose", "POST"): Write(A.CAPABILITY_PROPOSE, (401, 403, 201, 201), proposal),
    ("api:capability-update", "PATCH"): Write(A.CAPABILITY_EDIT, (401, 403, 200, 200), edit),
    ("api:capability-move", "POST"): Write(A.CAPABILITY_EDIT, (401, 403, 200, 200), MOVE),
    ("api:capability-rename", "POST"): Write(A.CAPABILITY_EDIT, (401, 403, 200, 200), RENAME),
    ("api:capability-lineage", "POST"): Write(A.CAPABILITY_EDIT, (401, 403, 200, 200), LINEAGE),
    # The API: scoring
    ("api:scores", "PUT"): Write(A.SCORE, (401, 403, 200, 200), SCORES),
    ("api:scores", "DELETE"): Write(A.SCORE, (401, 403, 200, 200)),
    ("api:score", "PUT"): Write(A.SCORE, (401, 403, 200, 200), SCORE),
    ("api:score", "DELETE"): Write(A.SCORE, (401, 403, 200, 200)),
    ("api:consensus-set", "PUT"): Write(A.CONSENSUS_SET, (401, 403, 403, 200), SCORE),
    ("api:criterion-update", "PATCH"): Write(A.CRITERION_EDIT, (401, 403, 403, 200), WEIGHT),
    ("api:finding-override", "POST"): Write(A.FINDING_OVERRIDE, (401, 403, 403, 201), override),
    ("api:worksheet-upload", "POST"): Write(A.WORKSHEET_IMPORT, (401, 403, 403, 201), UPLOAD),
    # The pages: signing in and out, anyone's
    ("login", "POST"): Write(None, (302, 302, 302, 302), SIGN_IN, changes=False),
    ("logout", "POST"): Write(None, (302, 302, 302, 302), changes=False),
    # The pages: guidelines
    ("guidelines:draft-start", "POST"): Write(A.DRAFT_START, (403, 403, 302, 302), DRAFT_FORM),
    ("guidelines:move", "POST"): Write(A.GUIDELINE_MOVE, (403, 403, 403, 302), TO_REVIEW),
    # The pages: the drafting workspace
    ("capabilities:propose", "POST"): Write(
        A.CAPABILITY_PROPOSE, (403, 403, 302, 302), proposal_form
    ),
    ("capabilities:capability_edit", "POST"): Write(
        A.CAPABILITY_EDIT, (403, 403, 302, 302), edit_form
    ),
    ("capabilities:capability_move", "POST"): Write(
        A.CAPABILITY_EDIT, (403, 403, 302, 302), move_form
    ),
    ("capabilities:capability_rename", "POST"): Write(
        A.CAPABILITY_EDIT, (403, 403, 302, 302), rename_form
    ),
    ("capabilities:capability_lineage", "POST"): Write(
        A.CAPABILITY_EDIT, (403, 403, 302, 302), LINEAGE_FORM
    ),
    ("capabilities:test_flag", "POST"): Write(A.TEST_FLAG, (403, 403, 302, 302), FLAG),
    ("capabilities:test_unflag", "POST"): Write(A.TEST_UNFLAG, (403, 403, 302, 302)),
    # The pages: scoring
    ("capabilities:score", "POST"): Write(A.SCORE, (403, 403, 302, 302), score_form),
    ("capabilities:score_withdraw", "POST"): Write(A.SCORE, (403, 403, 302, 302)),
    ("capabilities:consensus", "POST"): Write(
        A.CONSENSUS_SET, (403, 403, 403, 302), CONSENSUS_FORM
    ),
    ("capabilities:override", "POST"): Write(A.FINDING_OVERRIDE, (403, 403, 403, 302), override),
    # The worksheets page shows the chair the import's report: 200, not a redirect.
    ("capabilities:worksheets", "POST"): Write(A.WORKSHEET_IMPORT, (403, 403, 403, 200), UPLOAD),
    # The pages: the committee's seats, and each person's own API token
    ("committee:seats", "POST"): Write(A.SEAT_MANAGE, (403, 403, 403, 302), SEAT_FORM),
    ("committee:seat_end", "POST"): Write(A.SEAT_MANAGE, (403, 403, 403, 302), SEAT_END),
    # A new token's key is shown on the response that creates it: 200, not a redirect.
    ("committee:token_create", "POST"): Write(A.TOKEN_MANAGE, (403, 200, 200, 200)),
    ("committee:token_revoke", "POST"): Write(A.TOKEN_MANAGE, (403, 302, 302, 302), with_tokens),
    # Review comments: anyone signed in posts, and edits, resolves and reopens their own
    # (another's: tests/votes/test_comment*.py); the chair hides.
    ("api:comment-list", "POST"): Write(A.COMMENT, (401, 201, 201, 201), reply),
    ("api:comment-detail", "PATCH"): Write(A.COMMENT, (401, 200, 200, 200), COMMENT_EDIT),
    ("api:comment-resolve", "POST"): Write(A.COMMENT, (401, 200, 200, 200)),
    ("api:comment-reopen", "POST"): Write(A.COMMENT, (401, 200, 200, 200), resolved),
    ("api:comment-hide", "POST"): Write(A.COMMENT_HIDE, (401, 403, 403, 200), COMMENT_HIDE),
    # Ballots: the chair opens and closes; the electorate (member and chair) votes.
    ("api:ballot-list", "POST"): Write(A.BALLOT_OPEN, (401, 403, 403, 201), ballot_opening),
    ("api:ballot-position", "PUT"): Write(A.POSITION_SET, (401, 403, 200, 200), POSITION),
    ("api:ballot-close", "POST"): Write(A.BALLOT_CLOSE, (401, 403, 403, 200), CLOSING),
    ("votes:ballot_new", "POST"): Write(A.BALLOT_OPEN, (403, 403, 403, 302), ballot_form),
    ("votes:ballot_position", "POST"): Write(A.POSITION_SET, (403, 403, 302, 302), POSITION),
    ("votes:ballot_close", "POST"): Write(A.BALLOT_CLOSE, (403, 403, 403, 302), CLOSING),
    ("votes:comment_post", "POST"): Write(A.COMMENT, (403, 302, 302, 302), thread_form),
    ("votes:comment_edit", "POST"): Write(A.COMMENT, (403, 302, 302, 302), COMMENT_EDIT),
    ("votes:comment_resolve", "POST"): Write(A.COMMENT, (403, 302, 302, 302)),
    ("votes:comment_reopen", "POST"): Write(A.COMMENT, (403, 302, 302, 302), resolved),
    ("votes:comment_hide", "POST"): Write(A.COMMENT_HIDE, (403, 403, 403, 302), COMMENT_HIDE),
    # The cycle calendar: the chair plans a cycle and moves its summit. state() does not
    # read cycles (changes=False); tests/cycles/test_pages.py checks that a refusal
    # changes nothing and a success changes the cycle.
    # Publishing: the chair approves a draft after its ballot, and retries a failed step.
    # A retry changes the release's steps, which state() does not read (changes=False);
    # tests/releases/test_approval.py checks what it changes.
    ("api:guideline-approval", "POST"): Write(A.GUIDELINE_APPROVE, (401, 403, 403, 201), approval),
    ("releases:approve", "POST"): Write(A.GUIDELINE_APPROVE, (403, 403, 403, 302), approval),
    ("api:release-step-retry", "POST"): Write(
        A.RELEASE_RETRY, (401, 403, 403, 202), failed_step, changes=False
    ),
    ("releases:step-retry", "POST"): Write(
        A.RELEASE_RETRY, (403, 403, 403, 302), failed_step, changes=False
    ),
    # Compliance: anyone uploads a run (RefStack's contract: state() does not read runs);
    # anyone signed in manages their own keys.
    ("api:result-list", "POST"): Write(None, (201, 201, 201, 201), a_run_body, changes=False),
    ("api:result-list-slash", "POST"): Write(None, (201, 201, 201, 201), a_run_body, changes=False),
    ("v1:result-list", "POST"): Write(None, (201, 201, 201, 201), a_run_body, changes=False),
    ("v1:result-list-slash", "POST"): Write(None, (201, 201, 201, 201), a_run_body, changes=False),
    ("api:result-subunit", "POST"): Write(
        None, (201, 201, 201, 201), a_subunit_stream, changes=False
    ),
    ("api:pubkey-list", "POST"): Write(A.PUBKEY_MANAGE, (401, 201, 201, 201), a_key, changes=False),
    ("v1:pubkey-list", "POST"): Write(A.PUBKEY_MANAGE, (401, 201, 201, 201), a_key, changes=False),
    ("api:pubkey-detail", "DELETE"): Write(A.PUBKEY_MANAGE, (401, 204, 204, 204), changes=False),
    ("v1:pubkey-detail", "DELETE"): Write(A.PUBKEY_MANAGE, (401, 204, 204, 204), changes=False),
    # Vendors' business: the member administers the vendors and owns the signed run; the
    # staff may act on anyone's, and alone approve vendors and verify runs.
    ("api:result-detail", "PUT"): Write(*OWNED_API, link_body, staff=200, owner="member"),
    ("v1:result-detail", "PUT"): Write(*OWNED_API, link_body, staff=200, owner="member"),
    ("api:result-shared", "POST"): Write(*OWNED_API, b"true", staff=200, owner="member"),
    ("v1:result-shared", "POST"): Write(*OWNED_API, b"true", staff=200, owner="member"),
    ("api:result-shared", "DELETE"): Write(*OWNED_API, shared_first, staff=200, owner="member"),
    ("v1:result-shared", "DELETE"): Write(*OWNED_API, shared_first, staff=200, owner="member"),
    ("api:result-verifications", "POST"): Write(
        A.RUN_VERIFY, (401, 403, 403, 403), VERIFY, staff=201
    ),
    ("compliance:run_share", "POST"): Write(*OWNED_RUN, {"shared": "on"}, **BY_MEMBER),
    ("compliance:run_link", "POST"): Write(*OWNED_RUN, link_form, **BY_MEMBER),
    ("compliance:run_verify", "POST"): Write(A.RUN_VERIFY, STAFF_ONLY, VERIFY, staff=302),
    ("compliance:keys", "POST"): Write(A.PUBKEY_MANAGE, SIGNED_IN, a_key, staff=302),
    ("compliance:key_delete", "POST"): Write(A.PUBKEY_MANAGE, SIGNED_IN, staff=302),
    ("compliance:vendors", "POST"): Write(A.VENDOR_CREATE, SIGNED_IN, NEW_VENDOR, staff=302),
    ("compliance:vendor_submit", "POST"): Write(*OWNED_VENDOR, **BY_MEMBER),
    ("compliance:vendor_review", "POST"): Write(
        A.VENDOR_APPROVE, STAFF_ONLY, {"decision": "approve"}, staff=302
    ),
    ("compliance:vendor_admin_add", "POST"): Write(
        *OWNED_VENDOR, {"username": "reviewer"}, **BY_MEMBER
    ),
    ("compliance:invitation_answer", "POST"): Write(
        A.VENDOR_JOIN, (403, 400, 302, 400), {"decision": "accept"}, staff=400, owner="member"
    ),
    ("compliance:product_create", "POST"): Write(*OWNED_VENDOR, NEW_PRODUCT, **BY_MEMBER),
    ("compliance:version_add", "POST"): Write(*OWNED_VENDOR, NEW_VERSION, **BY_MEMBER),
    ("compliance:product_visibility", "POST"): Write(*OWNED_VENDOR, {"public": "on"}, **BY_MEMBER),
    ("cycles:list", "POST"): Write(A.CYCLE_MANAGE, (403, 403, 403, 302), CYCLE_FORM, changes=False),
    ("cycles:summit", "POST"): Write(
        A.CYCLE_MANAGE, (403, 403, 403, 302), summit_form, changes=False
    ),
}


# The fixture world: the demo guidelines, a worksheet, scores and a finding.


@pytest.fixture(autouse=True)
def cold_serving_cache():
    """Documents are served from memory by revision: each test starts with none."""
    CACHE.clear()
    yield
    CACHE.clear()


@pytest.fixture
def world(demo, demo_draft, system, chair, member, reviewer, staff) -> World:
    import_file(DEMO / "dns.2026.06.json")  # an approved add-on, to start dns.next from
    worksheet_import(guideline=demo_draft, text=WORKSHEET, name="scoring.txt", actor=system)
    capability = Capability.objects.get(guideline=demo_draft, key=CAPABILITY)
    # The committee has scored it already: withdrawing has something to withdraw.
    for scorer in (member, chair):
        scores_cast(capability=capability, actor=scorer, values={"doc": "1"})
    findings = [view.finding for view in draft_findings(demo_draft) if view.override is None]
    assert findings, "the world needs a process finding to override"
    # The member's vendors: an official one with a listed product, whose version 1.0 the
    # member's signed run is linked to; a private one to manage; a pending one to review.
    from tests.compliance.helpers import a_product, a_run, a_vendor, a_version, passing_tests

    listed = a_product(a_vendor(member))
    run = a_run(passing_tests(demo), owner=member, version=a_version(listed, "1.0"))
    a_product(a_vendor(member, "Acme", status="private"), "Rocket", public=False)
    a_vendor(member, "Pending Co", status="pending")
    # The chair's vendor invites the member to administer it.
    VendorInvitation.objects.create(
        vendor=a_vendor(chair, "Other Co", status="private"), user=member, invited_by=chair
    )
    return World(
        draft=demo_draft,
        capability=capability,
        test=capability.tests.get(is_flagged=True),
        criterion=Criterion.objects.get(guideline=demo_draft, key="doc"),
        worksheet="scoring.txt",
        finding=findings[0],
        users={
            "anonymous": None,
            "reviewer": reviewer,
            "member": member,
            "chair": chair,
            "staff": staff,
        },
        run=run,
        other_version=a_version(listed, "2.0"),
    )


# Concrete URLs for every route of the URL configuration.


def routes(patterns=None, namespace=""):
    """(route name, pattern) of every URL pattern, with its namespaces, admin excepted.

    The Django admin (``admin:``) is the operators': Django's model permissions
    govern it (``committee.permissions`` leaves them to ``/admin/``), not the
    committee's rules, and its routes are Django's own.
    """
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue
            assert not pattern.pattern.regex.groupindex, "a prefix with arguments: teach routes()"
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from routes(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern):
            assert pattern.name, f"an unnamed route: {pattern.pattern}"
            yield f"{namespace}{pattern.name}", pattern


def is_api(route: str) -> bool:
    return route.startswith(("api:", "v1:"))


def pk_for(route: str, world: World) -> int:
    """A ``pk``: a test's, a criterion's or a capability's, as the route's name says."""
    name = route.split(":", 1)[1]
    if name.startswith("test-"):
        return world.test.pk
    if name.startswith("criterion-"):
        return world.criterion.pk
    if name.startswith("capability-") or name in {"scores", "score", "consensus-set"}:
        return world.capability.pk
    if name.startswith(("comment-", "comment_")):
        return own_comment(world).pk
    if name.startswith(("ballot-", "ballot_")) or name == "ballot":
        return open_ballot(world).pk
    if name.startswith("pubkey-"):
        return own_key(world).pk
    if name.startswith("result-") or route.startswith("compliance:run"):
        return str(world.run.pk)
    if name.startswith("product-"):
        return str(world.run.product_version.product_id)
    if name == "invitation_answer":
        return VendorInvitation.objects.get().pk
    if name == "key_delete":
        return own_key(world).pk
    raise AssertionError(f"{route} takes a pk: say whose in pk_for()")


def url_of(route: str, pattern: URLPattern, world: World) -> str:
    samples = {
        "key": world.draft.key,
        "a": "2026.06",
        "b": world.draft.key,
        "capability_key": world.capability.key,
        "test_id": world.test.pk,
        "criterion": world.criterion.key,
        "name": world.worksheet,
        "username": world.users["member"].username,
        "step": "bundle",
        "number": 1,
        "fmt": "json",
        # The member's private vendor and product; the pending vendor, to review.
        "slug": "pending-co" if route == "compliance:vendor_review" else "acme",
        "product": "rocket",
        "vendor": "acme",
    }
    if route.startswith(("api:release-", "releases:")) and route != "releases:approve":
        samples["key"] = RELEASE  # a release's routes name the release, not the draft
    kwargs = {}
    for argument in pattern.pattern.regex.groupindex:
        if argument == "pk":
            kwargs[argument] = pk_for(route, world)
        else:
            assert argument in samples, f"{route} takes {argument}: add a sample to url_of()"
            kwargs[argument] = samples[argument]
    url = reverse(route, kwargs=kwargs)
    if route == "api:result-subunit":
        url += "?cpid=cloud-1&duration_seconds=60"  # what a subunit upload says beside it
    return url


def client_for(route: str, user) -> APIClient:
    """The API through a token, as tooling calls it; the pages through a signed-in session."""
    client = APIClient()
    if user is not None:
        if is_api(route):
            token, _ = Token.objects.get_or_create(user=user)
            client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        else:
            client.force_login(user)
    return client


def state():
    """What a refused write must leave as it was."""
    return (
        sorted(Guideline.objects.values_list("key", "revision", "status")),
        GuidelineEvent.objects.count(),
        sorted(Capability.objects.values_list("guideline__key", "key", "version", "description")),
        sorted(ComponentEntry.objects.values_list("component__guideline__key", "name", "status")),
        sorted(Test.objects.filter(is_flagged=True).values_list("pk", "flag_reason")),
        sorted(Criterion.objects.values_list("pk", "weight")),
        sorted(Score.objects.values_list("scorer__username", "criterion", "value")),
        sorted(Consensus.objects.values_list("capability__key", "criterion", "value")),
        Lineage.objects.count(),
        RuleOverride.objects.count(),
        sorted(Worksheet.objects.values_list("guideline__key", "name")),
        Seat.objects.count(),
        sorted(Seat.objects.current().values_list("user__username", "role", "affiliation")),
        sorted(Token.objects.values_list("user__username", "key")),
        sorted(Comment.objects.values_list("pk", "body", "resolved_by", "hidden_by")),
        sorted(Ballot.objects.values_list("pk", "status")),
        sorted(Position.objects.values_list("pk", "value", "current")),
        compliance_state(),
    )


def compliance_state():
    from compliance.models import Product, ProductVersion, PublicKey, TestRun, Vendor

    return (
        sorted(Vendor.objects.values_list("slug", "status")),
        sorted(Vendor.admins.through.objects.values_list("vendor__slug", "user__username")),
        VendorInvitation.objects.count(),
        sorted(Product.objects.values_list("slug", "public")),
        sorted(ProductVersion.objects.values_list("product__slug", "version", "cpid")),
        sorted(
            (str(pk), shared, str(v))
            for pk, shared, v in TestRun.objects.values_list("pk", "shared", "product_version")
        ),
        TestRun.objects.filter(verifications__isnull=False).count(),
        sorted(PublicKey.objects.values_list("user__username", "fingerprint")),
    )


def send(client: APIClient, route: str, method: str, url: str, data=None, headers=None):
    """The request: JSON to the API, form fields to the pages, bytes as they are."""
    if isinstance(data, bytes):
        return client.generic(method, url, data, "application/octet-stream", **(headers or {}))
    kind = {"format": "json"} if is_api(route) else {}
    return getattr(client, method.lower())(url, data, **kind, **(headers or {}))


# Every write route has its entry


def write_routes_found(world: World) -> set[tuple[str, str]]:
    """(route, method) of every route that serves a write method.

    Each URL gets every write method twice, from the chair and from nobody, with
    an empty body, and serves the method unless one of them is told 405. Both
    are needed: DRF authenticates before it looks at the method (nobody gets 401
    whatever the method), and the sign-in page sends a signed-in user on before
    it looks at the method (the chair gets 302 whatever the method). Routes
    sharing a URL (a workspace write listed before the read it hands GETs to)
    count as the one that answers.
    """
    found = set()
    urls = {url_of(route, pattern, world) for route, pattern in routes()}
    for url in sorted(urls):
        answering = resolve(url.partition("?")[0]).view_name
        for method in WRITE_METHODS:
            answers = [
                send(client_for(answering, user), answering, method, url).status_code
                for user in (world.users["chair"], None)
            ]
            if 405 not in answers:
                found.add((answering, method))
    return found


def test_every_write_route_of_the_url_configuration_has_an_entry_and_every_entry_a_route(world):
    found = write_routes_found(world)

    assert sorted(found - MATRIX.keys()) == [], "write routes without an entry in MATRIX"
    assert sorted(MATRIX.keys() - found) == [], "MATRIX entries whose route serves no such write"


# Each persona gets the expected status; a refusal changes nothing


CASES = [
    pytest.param(route, method, persona, id=f"{route}-{method}-{persona}")
    for (route, method) in MATRIX
    for persona in PERSONAS
]


@pytest.mark.parametrize(("route", "method", "persona"), CASES)
def test_each_persona_gets_the_expected_status_and_a_refusal_changes_nothing(
    world, route, method, persona
):
    entry = MATRIX[(route, method)]
    pattern = dict(routes())[route]
    world.persona = persona  # whose own comment the comment routes are about
    url = url_of(route, pattern, world)
    data, headers = made(entry.body, world), made(entry.headers, world)
    client = client_for(route, world.users[persona])
    before = state()

    response = send(client, route, method, url, data, headers)

    expected = entry.expected(persona)
    assert response.status_code == expected, response.content.decode()[:2000]
    if expected >= 400:
        assert state() == before, "a refused write changed something"
        if expected == 401:
            assert response.has_header("WWW-Authenticate")  # how to sign in: a token
        if expected == 403:
            # The refusal names the action the table says the route performs.
            assert RULES[entry.action].label in response.content.decode()
    elif entry.changes:
        assert state() != before, "the write answered success but changed nothing"


# The matrix and the committee's rules agree


SUCCEEDS = {200, 201, 202, 204, 302}


def test_the_matrix_grants_exactly_what_the_committee_rules_grant():
    """Nobody anonymous does the committee's work; the others succeed as RULES allow."""
    for (route, method), entry in MATRIX.items():
        assert entry.statuses[0] not in SUCCEEDS or entry.action is None, (route, method)
        for persona in PERSONAS[1:]:
            if entry.action is None:
                allowed = True
            elif persona == "staff":
                # The staff act on anyone's where the rule lets them, and only there.
                rule = RULES[entry.action]
                allowed = rule.allows(Standing.REVIEWER, staff=True) and (
                    entry.owner is None or rule.staff
                )
            else:
                # Someone's vendor or run: the rule, and then the owner alone (or the staff).
                allowed = RULES[entry.action].allows(Standing(persona)) and (
                    entry.owner in (None, persona)
                )
            assert (entry.expected(persona) in SUCCEEDS) == allowed, (route, method, persona)


# Actions that guard a read, not a write: their pages have their own tests
# (the event log: tests/votes/test_log_page.py).
READS = {Action.LOG_READ}


def test_every_action_of_the_rules_is_reachable_through_some_route():
    assert {entry.action for entry in MATRIX.values()} - {None} == set(RULES) - READS


def test_the_api_refuses_anonymous_writes_with_401_and_the_pages_with_403():
    for (route, method), entry in MATRIX.items():
        if entry.action is not None:
            assert entry.statuses[0] == (401 if is_api(route) else 403), (route, method)
