"""A member signs in, finds the ballot on their dashboard, votes, comments, and
watches the tally change, in a real browser."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.factories import SeatFactory, UserFactory
from votes.services import ballot_open, position_set

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-password-9"
QUESTION = "Open next for review?"


@pytest.fixture
def committee(demo_draft):
    chair = SeatFactory(user=UserFactory(username="cat"), role="chair").user
    ana = SeatFactory(user=UserFactory(username="ana", password=PASSWORD)).user
    ben = SeatFactory(user=UserFactory(username="ben")).user
    ballot = ballot_open(
        guideline=demo_draft,
        kind="question",
        question=QUESTION,
        closes_at=timezone.now() + timedelta(days=3),
        actor=chair,
    )
    return {"chair": chair, "ana": ana, "ben": ben, "ballot": ballot}


def test_a_member_votes_comments_and_watches_the_tally_change(
    live_server, committee, desktop, screenshot
):
    page = desktop
    page.goto(f"{live_server.url}/accounts/login/?next=/dashboard/")
    page.get_by_label("Username").fill("ana")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    expect(page).to_have_url(re.compile(r"/dashboard/$"))
    page.get_by_role("link", name=QUESTION).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(QUESTION)
    tally = page.locator("dl.tally")
    expect(tally.locator("div", has_text="Yes").locator("dd")).to_have_text("0")
    expect(page.locator(".needs")).to_have_text("Needs 2 more positions for quorum and 1 more yes.")

    page.get_by_label("Yes").check()
    page.get_by_role("button", name="Record my position").click()
    expect(page.locator("main")).to_contain_text("Your position: Yes")
    expect(tally.locator("div", has_text="Yes").locator("dd")).to_have_text("1")
    expect(page.locator(".needs")).to_have_text("Needs 1 more position for quorum.")

    page.get_by_label("New comment").fill("Ready from my side: **all green**.")
    page.get_by_role("button", name="Comment").click()
    comment = page.locator("article.comment").filter(has_text="Ready from my side")
    expect(comment.locator("strong", has_text="all green")).to_be_visible()

    # Another member votes meanwhile; the page shows it when reloaded.
    position_set(ballot=committee["ballot"], actor=committee["ben"], value="yes")
    page.reload()
    expect(tally.locator("div", has_text="Yes").locator("dd")).to_have_text("2")
    expect(page.locator(".needs")).to_have_text("Would pass if it closed now.")
    screenshot(page, "ballot-desktop")

    page.get_by_role("link", name="Your actions").click()
    expect(page.get_by_text("No open ballot is waiting for your position.")).to_be_visible()
