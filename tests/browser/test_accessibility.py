"""Every page of the site passes axe-core's WCAG 2.1 A and AA rules, on a desktop and a phone.

Each test is one person (an anonymous visitor, a committee member, the chair, a
reviewer) going through the pages they see, in a new browser context per page
size; axe-core runs on each page, and the test fails with every violation of
every page it visited, so that one run says all there is to fix. The data is the
project's own demo: the approved guideline 2026.06 and the draft ``next`` started
from it, a little changed (a flagged test, a proposed capability, a member's
scores) so that the diff, the change log and the withdraw button have something
to show.

axe only lists an ``aria-describedby`` naming no element among the results to
review by hand ("incomplete"), not as a violation; the tests check those
references themselves, since a form field's help text hangs on them.
"""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from capabilities.services import capability_propose, scores_cast
from guidelines.services import flag_set
from tests.browser.conftest import DESKTOP, PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-password-9"  # the factories' password
CAPABILITY = "compute-servers-list"
PROPOSED = "compute-servers-rescue"
WORKSPACE = "/guidelines/next/workspace/"
WCAG_21_AA = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}
SIZES = {"desktop": DESKTOP, "phone": PHONE}

AXE = Axe()
# The elements whose ARIA attributes name ids that are not on the page.
DANGLING_REFERENCES = """
() => [...document.querySelectorAll("[aria-describedby], [aria-labelledby], [aria-controls]")]
  .flatMap((element) => ["aria-describedby", "aria-labelledby", "aria-controls"]
    .filter((name) => element.hasAttribute(name))
    .flatMap((name) => element.getAttribute(name).split(/\\s+/).filter(Boolean)
      .filter((id) => !document.getElementById(id))
      .map((id) => `${element.tagName.toLowerCase()}#${element.id} ${name}="${id}"`)))
"""


@pytest.fixture(params=list(SIZES))
def size(request):
    return request.param


@pytest.fixture
def site(demo_draft, member):
    """``next``, with a flagged test, a proposed capability and the member's score."""
    capability = demo_draft.capabilities.get(key=CAPABILITY)
    flag_set(
        test=capability.tests.order_by("pk").first(),
        date="2026-07-01",
        reason="[D404] Fails on clouds that hide image ids",
        action="Fix the test upstream",
        actor=member,
    )
    capability_propose(
        guideline=demo_draft,
        key=PROPOSED,
        component="os_powered_compute",
        project="nova",
        description="Rescue a server",
        tests=[
            {
                "name": "tempest.api.compute.servers.test_rescue.RescueTest.test_rescue",
                "idempotent_id": "id-fd032140-714c-42e4-a8fd-adcd8df06be6",
            }
        ],
        actor=member,
    )
    scores_cast(capability=capability, actor=member, values={"doc": "1"})
    return demo_draft


@pytest.fixture
def visit(browser, live_server, size):
    """A page in a new context at the test's size; ``visit.check`` runs axe on a path."""
    context = browser.new_context(**SIZES[size])
    context.set_default_timeout(10_000)
    visitor = Visitor(context.new_page(), live_server.url)
    yield visitor
    context.close()


class Visitor:
    def __init__(self, page, base_url):
        self.page = page
        self.base_url = base_url
        self.reports = []

    def sign_in(self, username):
        self.page.goto(f"{self.base_url}/accounts/login/")
        self.page.get_by_label("Username").fill(username)
        self.page.get_by_label("Password").fill(PASSWORD)
        self.page.get_by_role("button", name="Sign in").click()
        expect(self.page.locator(".site-user")).to_contain_text(f"Signed in as {username}")

    def check(self, path, *, status=200, shows=None):
        """Open ``path``, wait for what it must show, and run axe on it."""
        response = self.page.goto(self.base_url + path)
        assert response.status == status, f"{path} answered {response.status}, not {status}"
        self.check_here(path, shows=shows)

    def check_here(self, path, *, shows=None):
        """Wait for what the page now open must show (after a form, say), and run axe on it."""
        expect(self.page.locator("main h1")).to_be_visible()
        if shows is not None:
            expect(shows(self.page)).to_be_visible()
        violations = AXE.run(self.page, options=WCAG_21_AA).response["violations"]
        if violations:
            self.reports.append(report(path, violations))
        dangling = self.page.evaluate(DANGLING_REFERENCES)
        if dangling:
            self.reports.append(
                f"{path}:\n  ARIA references to no element:\n"
                + "\n".join(f"    - {reference}" for reference in dangling)
            )

    def assert_no_violations(self, size):
        assert not self.reports, f"WCAG 2.1 AA violations at {size} size:\n" + "\n".join(
            self.reports
        )


def report(path, violations) -> str:
    lines = [f"{path}:"]
    for violation in violations:
        lines.append(
            f"  {violation['id']} ({violation['impact']}): {violation['help']}"
            f" <{violation['helpUrl']}>"
        )
        for node in violation["nodes"]:
            summary = " ".join(node.get("failureSummary", "").split())
            lines.append(f"    - {', '.join(map(str, node['target']))}: {summary}")
    return "\n".join(lines)


def test_the_pages_an_anonymous_visitor_reads_have_no_wcag_violation(site, visit, size):
    visit.check("/", shows=lambda page: page.get_by_role("link", name="2026.06", exact=True))
    visit.check("/guidelines/2026.06/", shows=lambda page: page.locator(f"#cap-{CAPABILITY}"))
    visit.check(
        "/guidelines/2026.06/diff/next/",
        shows=lambda page: page.get_by_role("link", name=PROPOSED).first,
    )
    visit.check(WORKSPACE, shows=lambda page: page.locator(f"#row-{CAPABILITY}"))
    visit.check(WORKSPACE + "log/", shows=lambda page: page.locator("li.event").first)
    visit.check("/accounts/login/", shows=lambda page: page.get_by_label("Password"))
    visit.check(
        "/guidelines/nope/", status=404, shows=lambda page: page.get_by_text("Not found").first
    )
    visit.assert_no_violations(size)


def test_the_pages_a_committee_member_works_on_have_no_wcag_violation(site, member, visit, size):
    visit.sign_in(member.username)
    visit.check("/", shows=lambda page: page.get_by_role("button", name="Start draft"))
    visit.check(
        f"{WORKSPACE}?score={CAPABILITY}",
        shows=lambda page: page.get_by_role(
            "button", name=f"Withdraw all my scores of {CAPABILITY}"
        ),
    )
    visit.check(
        f"{WORKSPACE}capabilities/{CAPABILITY}/",
        shows=lambda page: page.get_by_role("heading", name="Edit"),
    )
    visit.check(WORKSPACE + "propose/", shows=lambda page: page.locator("main form[method=post]"))
    visit.assert_no_violations(size)


def test_the_pages_the_chair_decides_on_have_no_wcag_violation(site, chair, visit, size):
    visit.sign_in(chair.username)
    visit.check(
        "/guidelines/2026.06/", shows=lambda page: page.get_by_role("heading", name="Life cycle")
    )
    visit.check(
        "/guidelines/next/",
        shows=lambda page: page.get_by_role("button", name="Open for review"),
    )
    visit.check(
        f"{WORKSPACE}?decide={CAPABILITY}",
        shows=lambda page: page.locator(f"#decide-{CAPABILITY}"),
    )
    visit.check(
        WORKSPACE + "worksheets/",
        shows=lambda page: page.get_by_role("button", name="Import the worksheet"),
    )
    visit.assert_no_violations(size)


def test_the_page_refusing_a_reviewer_has_no_wcag_violation(site, reviewer, visit, size):
    visit.sign_in(reviewer.username)
    visit.check(
        WORKSPACE + "propose/",
        status=403,
        shows=lambda page: page.get_by_role("heading", name="Not allowed"),
    )
    visit.assert_no_violations(size)


def test_the_seats_page_and_the_account_page_have_no_wcag_violation(chair, member, visit, size):
    visit.sign_in(chair.username)
    visit.check(
        "/committee/seats/",
        shows=lambda page: page.get_by_role("button", name="End seat of member"),
    )
    visit.check("/account/", shows=lambda page: page.get_by_role("button", name="Create a token"))
    # The new key, shown once on the response that creates it.
    visit.page.get_by_role("button", name="Create a token").click()
    visit.check_here(
        "/account/token/", shows=lambda page: page.get_by_label("Your new token", exact=False)
    )
    visit.assert_no_violations(size)


def test_a_reviewer_s_account_and_the_seats_refusal_have_no_wcag_violation(reviewer, visit, size):
    visit.sign_in(reviewer.username)
    visit.check("/account/", shows=lambda page: page.get_by_text("You hold no seat"))
    visit.check(
        "/committee/seats/",
        status=403,
        shows=lambda page: page.get_by_role("heading", name="Not allowed"),
    )
    visit.assert_no_violations(size)


def test_the_ballot_pages_and_the_dashboard_have_no_wcag_violation(
    site, chair, member, visit, size
):
    from datetime import timedelta

    from django.utils import timezone

    from votes.comments import comment_post
    from votes.services import ballot_open

    ballot = ballot_open(
        guideline=site,
        kind="question",
        question="Open next for review?",
        closes_at=timezone.now() + timedelta(days=3),
        actor=chair,
    )
    comment_post(target=ballot, body="Is **everyone** ready?", actor=chair)
    visit.sign_in(member.username)
    visit.check("/dashboard/", shows=lambda page: page.get_by_role("link", name=ballot.question))
    visit.check(
        f"/ballots/{ballot.pk}/",
        shows=lambda page: page.get_by_role("button", name="Record my position"),
    )
    visit.check("/ballots/", shows=lambda page: page.get_by_role("link", name=ballot.question))
    visit.page.get_by_role("button", name="Sign out").click()
    expect(visit.page.get_by_role("link", name="Sign in")).to_be_visible()
    visit.sign_in(chair.username)
    visit.check(
        "/guidelines/next/ballots/new/",
        shows=lambda page: page.get_by_role("button", name="Open the ballot"),
    )
    visit.check(
        f"/ballots/{ballot.pk}/", shows=lambda page: page.get_by_role("button", name="Close now")
    )
    visit.assert_no_violations(size)


def test_the_workspace_with_deployment_evidence_has_no_wcag_violation(site, demo, visit, size):
    """The "deployed" counts on the rows and the impact preview on a capability's page."""
    from tests.compliance.test_evidence import KEYPAIRS, capability_tests, verified
    from tests.factories import UserFactory

    staff = UserFactory(username="staff", is_staff=True)
    verified(demo, staff, "Alpha Cloud", extra=capability_tests(demo, KEYPAIRS))
    verified(demo, staff, "Beta Cloud")
    visit.check(WORKSPACE, shows=lambda page: page.locator(f"#row-{KEYPAIRS} .deployed"))
    visit.check(
        f"{WORKSPACE}capabilities/{KEYPAIRS}/",
        shows=lambda page: page.get_by_role("link", name="Beta Cloud Inc Beta Cloud"),
    )
    width = visit.page.evaluate("document.documentElement.scrollWidth")
    assert width <= SIZES[size]["viewport"]["width"], width
    visit.assert_no_violations(size)
