"""Comment threads on the pages: the guideline's page and the capability's, the
forms (post, reply, edit, resolve, reopen, hide), CSRF, and what each viewer sees."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from committee.models import Event
from guidelines.models import Capability
from votes.comments import comment_hide, comment_post
from votes.models import Comment

pytestmark = pytest.mark.django_db

GUIDELINE_PAGE = "/guidelines/next/"


@pytest.fixture
def capability(demo_draft):
    return Capability.objects.get(guideline=demo_draft, key="compute-servers-list")


@pytest.fixture
def capability_page(capability):
    return reverse("capabilities:capability", args=["next", capability.key])


def signed_in(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def new_thread(target_type: str, target_id, body: str, **extra) -> dict:
    return {"target_type": target_type, "target_id": str(target_id), "body": body, **extra}


POST = "/comments/post/"


def test_the_urls_are_where_the_pages_post_them():
    assert reverse("votes:comment_post") == POST
    assert reverse("votes:comment_hide", args=[7]) == "/comments/7/hide/"


def test_the_guideline_page_shows_its_thread_and_anonymous_visitors_a_sign_in_link(
    demo_draft, reviewer, member
):
    first = comment_post(target=demo_draft, body="Ship **it**", actor=reviewer)
    comment_post(parent=first, body="Not yet", actor=member)

    page = signed_in(None).get(GUIDELINE_PAGE).content.decode()

    assert f'id="comments-guideline-{demo_draft.pk}"' in page
    assert "<p>Ship <strong>it</strong></p>" in page
    assert "<p>Not yet</p>" in page
    assert f'href="/accounts/login/?next={GUIDELINE_PAGE}">Sign in</a> to comment' in page
    assert 'name="body"' not in page  # no form for anonymous visitors
    assert f'href="#comments-guideline-{demo_draft.pk}"' in page  # in the page's contents


def test_a_signed_in_reviewer_gets_the_labelled_forms(demo_draft, capability_page, reviewer):
    comment_post(target=demo_draft, body="x", actor=reviewer)

    page = signed_in(reviewer).get(GUIDELINE_PAGE).content.decode()

    textarea_ids = re.findall(r'<textarea id="([^"]+)"', page)
    assert textarea_ids
    for textarea in textarea_ids:
        assert f'<label for="{textarea}">' in page
    assert ">New comment</label>" in page and "<summary>Reply</summary>" in page
    assert "Sign in</a> to comment" not in page
    assert "Hide<span" not in page  # for chairs


def test_the_capability_page_shows_its_own_thread(capability, capability_page, demo_draft, member):
    comment_post(target=capability, body="On the capability", actor=member)
    comment_post(target=demo_draft, body="On the guideline", actor=member)

    page = signed_in(member).get(capability_page).content.decode()

    assert f'id="comments-capability-{capability.pk}"' in page
    assert "On the capability" in page and "On the guideline" not in page


def test_posting_on_the_page_goes_back_to_the_comment(capability, capability_page, reviewer):
    response = signed_in(reviewer).post(
        POST, new_thread("capability", capability.pk, "Looks *good*", next=capability_page)
    )

    comment = Comment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{capability_page}#comment-{comment.pk}"
    assert (comment.capability, comment.author, comment.body_html) == (
        capability,
        reviewer,
        "<p>Looks <em>good</em></p>",
    )
    assert Event.objects.get(kind="comment.posted").channel == "web"


def test_a_reply_on_the_page_joins_the_thread(demo_draft, reviewer, member):
    first = comment_post(target=demo_draft, body="Question", actor=reviewer)

    response = signed_in(member).post(POST, {"parent": first.pk, "body": "Answer"})

    reply = Comment.objects.exclude(pk=first.pk).get()
    assert response.status_code == 302
    assert response["Location"] == f"{GUIDELINE_PAGE}#comment-{reply.pk}"
    assert (reply.parent, reply.root, reply.guideline) == (first, first, demo_draft)


def test_next_leads_only_to_this_site(demo_draft, reviewer):
    response = signed_in(reviewer).post(
        POST, new_thread("guideline", "next", "x", next="https://evil.example/")
    )

    assert response["Location"].startswith(f"{GUIDELINE_PAGE}#comment-")


def test_anonymous_writes_get_403_and_a_sign_in_link(demo_draft, reviewer):
    comment = comment_post(target=demo_draft, body="x", actor=reviewer)
    anonymous = signed_in(None)

    for url, data in (
        (POST, new_thread("guideline", "next", "y")),
        (f"/comments/{comment.pk}/edit/", {"body": "y"}),
        (f"/comments/{comment.pk}/resolve/", {}),
        (f"/comments/{comment.pk}/hide/", {"reason": "y"}),
    ):
        response = anonymous.post(url, data)
        assert response.status_code == 403, url
        assert "Sign in</a> to comment" in response.content.decode()
    assert Comment.objects.count() == 1


def test_page_writes_need_the_csrf_token(demo_draft, reviewer):
    client = Client(enforce_csrf_checks=True)
    client.force_login(reviewer)

    refused = client.post(POST, new_thread("guideline", "next", "x"))
    assert refused.status_code == 403
    assert not Comment.objects.exists()

    page = client.get(GUIDELINE_PAGE).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    accepted = client.post(POST, new_thread("guideline", "next", "x", csrfmiddlewaretoken=token))
    assert accepted.status_code == 302
    assert Comment.objects.count() == 1


def test_nobody_edits_anothers_comment_on_the_page_not_even_the_chair(
    demo_draft, member, other_member, chair
):
    comment = comment_post(target=demo_draft, body="Mine", actor=member)

    for intruder in (other_member, chair):
        response = signed_in(intruder).post(f"/comments/{comment.pk}/edit/", {"body": "Theirs"})
        assert response.status_code == 403
        assert "for its author only" in response.content.decode()
    comment.refresh_from_db()
    assert comment.body == "Mine"
    # The form is not offered to them either.
    chairs_page = signed_in(chair).get(GUIDELINE_PAGE).content.decode()
    assert f'id="comment-{comment.pk}-edit"' not in chairs_page

    response = signed_in(member).post(f"/comments/{comment.pk}/edit/", {"body": "Mine, edited"})
    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.body == "Mine, edited" and comment.revisions.count() == 2


def test_a_refused_post_shows_why_and_keeps_the_text(demo_draft, reviewer):
    response = signed_in(reviewer).post(POST, new_thread("guideline", "next", "   "))

    assert response.status_code == 400
    text = response.content.decode()
    assert "a comment needs some text" in text
    assert not Comment.objects.exists()

    long = "y" * 20_001
    kept = signed_in(reviewer).post(POST, new_thread("guideline", "next", long)).content.decode()
    assert long in kept

    missing = signed_in(reviewer).post(POST, new_thread("capability", "999999", "x"))
    assert missing.status_code == 404


def test_the_author_and_the_chair_resolve_and_reopen_on_the_page(demo_draft, reviewer, chair):
    comment = comment_post(target=demo_draft, body="Fix the typo", actor=reviewer)

    assert signed_in(chair).post(f"/comments/{comment.pk}/resolve/").status_code == 302
    comment.refresh_from_db()
    assert comment.resolved_by == chair
    page = signed_in(reviewer).get(GUIDELINE_PAGE).content.decode()
    assert "Resolved</span>" in page and "Reopen<span" in page

    assert signed_in(reviewer).post(f"/comments/{comment.pk}/reopen/").status_code == 302
    comment.refresh_from_db()
    assert comment.resolved_at is None


def test_a_chair_hides_on_the_page_and_everyone_else_sees_who_and_why(
    demo_draft, reviewer, member, chair
):
    comment = comment_post(target=demo_draft, body="Something rude", actor=reviewer)
    chairs_page = signed_in(chair).get(GUIDELINE_PAGE).content.decode()
    assert f'id="comment-{comment.pk}-hide"' in chairs_page

    refused = signed_in(member).post(f"/comments/{comment.pk}/hide/", {"reason": "No"})
    assert refused.status_code == 403 and "Hiding a comment" in refused.content.decode()
    missing_reason = signed_in(chair).post(f"/comments/{comment.pk}/hide/", {"reason": ""})
    assert missing_reason.status_code == 400

    hidden = signed_in(chair).post(f"/comments/{comment.pk}/hide/", {"reason": "Rude"})
    assert hidden.status_code == 302

    for viewer in (None, reviewer, member):
        page = signed_in(viewer).get(GUIDELINE_PAGE).content.decode()
        assert "Hidden by chair: Rude" in page
        assert "Something rude" not in page
    for_chair = signed_in(chair).get(GUIDELINE_PAGE).content.decode()
    assert "Hidden by chair: Rude" in for_chair and "Something rude" in for_chair
    assert Comment.objects.filter(pk=comment.pk).exists()


def test_hostile_comments_are_inert_on_the_page(demo_draft, reviewer):
    for body in (
        "<script>alert('page')</script>",
        "[click](javascript:alert('page'))",
        "<img src=x onerror=alert('page')>",
    ):
        comment_post(target=demo_draft, body=body, actor=reviewer)

    page = signed_in(reviewer).get(GUIDELINE_PAGE).content.decode()

    assert "&lt;script&gt;alert(&#x27;page&#x27;)" in page or "&lt;script&gt;alert('page')" in page
    assert "<script>alert" not in page
    assert 'href="javascript' not in page.lower()
    assert "<img src=x" not in page


def test_hidden_comments_keep_their_place_in_the_thread(demo_draft, reviewer, member, chair):
    first = comment_post(target=demo_draft, body="Start", actor=reviewer)
    rude = comment_post(parent=first, body="Rude reply", actor=member)
    comment_post(parent=first, body="Calm reply", actor=reviewer)
    comment_hide(comment=rude, reason="Abusive", actor=chair)

    page = signed_in(None).get(GUIDELINE_PAGE).content.decode()

    assert page.index("Start") < page.index("Hidden by chair: Abusive") < page.index("Calm reply")


def test_a_thread_costs_the_same_queries_however_long(demo_draft, reviewer, member, client):
    def queries() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            assert client.get(GUIDELINE_PAGE).status_code == 200
        return len(captured)

    first = comment_post(target=demo_draft, body="One", actor=reviewer)
    comment_post(parent=first, body="Two", actor=member)
    short = queries()
    for n in range(5):
        thread = comment_post(target=demo_draft, body=f"Thread {n}", actor=member)
        comment_post(parent=thread, body="Reply", actor=reviewer)
    assert queries() == short


def test_a_thread_on_a_test_shows_on_its_capabilitys_page(client, demo_draft, member):
    from votes.comments import comment_post

    capability = demo_draft.capabilities.get(key="compute-servers-list")
    test = capability.tests.order_by("pk").first()
    comment_post(target=test, body="Is this one **flaky**?", actor=member)

    page = client.get(
        "/guidelines/next/workspace/capabilities/compute-servers-list/"
    ).content.decode()

    assert "Comments on this test" in page
    assert "<strong>flaky</strong>" in page
