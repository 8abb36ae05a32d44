"""Review comments, the services: threads and replies, who edits, resolves and
hides, history kept, events recorded, and Markdown that renders inert."""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.db import IntegrityError, transaction

from committee.models import Event
from committee.permissions import NotAllowed
from guidelines.errors import GuidelineError, RuleRefused
from guidelines.models import Capability
from tests.factories import UserFactory
from votes.comments import (
    comment_edit,
    comment_hide,
    comment_post,
    comment_reopen,
    comment_resolve,
    thread_participants,
    threads_awaiting_reply,
    threads_on,
)
from votes.markdown import TAGS, render
from votes.models import Comment, CommentRevision
from votes.models.comments import MAX_COMMENT_LENGTH

pytestmark = pytest.mark.django_db


@pytest.fixture
def capability(demo_draft):
    return Capability.objects.get(guideline=demo_draft, key="compute-servers-list")


def events(kind: str) -> list[Event]:
    return list(Event.objects.filter(kind=kind).order_by("pk"))


# Threads and replies


def test_anyone_signed_in_starts_a_thread_and_others_reply_in_it(capability, reviewer, member):
    first = comment_post(target=capability, body="Is this *required*?", actor=reviewer)
    reply = comment_post(parent=first, body="Not yet.", actor=member)
    again = comment_post(parent=reply, body="When, then?", actor=reviewer)

    assert (first.capability, first.parent, first.root) == (capability, None, None)
    assert (reply.capability, reply.parent, reply.root) == (capability, first, first)
    assert (again.capability, again.parent, again.root) == (capability, reply, first)
    assert first.body_html == "<p>Is this <em>required</em>?</p>"
    [thread] = threads_on(capability)
    assert thread.comment == first
    assert thread.replies == [reply, again]


def test_a_reply_is_on_its_parents_target(capability, demo_draft, reviewer, member):
    first = comment_post(target=capability, body="On the capability", actor=reviewer)

    with pytest.raises(GuidelineError, match="a reply is on its parent's target"):
        comment_post(target=demo_draft, parent=first, body="On the guideline?", actor=member)

    same = comment_post(target=capability, parent=first, body="Same target", actor=member)
    assert same.capability == capability and same.guideline is None


def test_every_kind_of_target_takes_comments(demo_draft, capability, chair, member):
    from datetime import timedelta

    from django.utils import timezone

    from votes.services import ballot_open

    ballot = ballot_open(
        guideline=demo_draft,
        kind="question",
        question="Ready?",
        closes_at=timezone.now() + timedelta(days=2),
        actor=chair,
    )
    test = capability.tests.first()
    for target, field in ((demo_draft, "guideline"), (capability, "capability")):
        assert getattr(comment_post(target=target, body="x", actor=member), field) == target
    assert comment_post(target=test, body="x", actor=member).test == test
    assert comment_post(target=ballot, body="x", actor=member).ballot == ballot


def test_the_database_allows_exactly_one_target(demo_draft, capability, reviewer):
    comment = comment_post(target=capability, body="x", actor=reviewer)
    for change in ({"guideline": demo_draft}, {"capability": None}):
        with pytest.raises(IntegrityError), transaction.atomic():
            Comment.objects.filter(pk=comment.pk).update(**change)


def test_a_body_is_needed_and_bounded(capability, reviewer):
    for body in ("", "   \n  ", "x" * (MAX_COMMENT_LENGTH + 1), "a\x00b"):
        with pytest.raises(GuidelineError):
            comment_post(target=capability, body=body, actor=reviewer)
    assert not Comment.objects.exists()
    longest = comment_post(target=capability, body="x" * MAX_COMMENT_LENGTH, actor=reviewer)
    assert len(longest.body) == MAX_COMMENT_LENGTH


def test_anonymous_and_the_system_do_not_comment(capability, system):
    from django.contrib.auth.models import AnonymousUser

    for actor in (AnonymousUser(), None, system):
        with pytest.raises(NotAllowed):
            comment_post(target=capability, body="x", actor=actor)
    assert not Comment.objects.exists()


# Editing: the author only, with history


def test_the_author_edits_and_every_earlier_text_is_kept(capability, member):
    comment = comment_post(target=capability, body="Frist", actor=member)

    comment_edit(comment=comment, body="First", actor=member)
    comment_edit(comment=comment, body="First!", actor=member)

    comment.refresh_from_db()
    assert comment.body == "First!" and comment.body_html == "<p>First!</p>"
    assert comment.edited_at is not None
    assert list(comment.revisions.values_list("number", "body")) == [
        (1, "Frist"),
        (2, "First"),
        (3, "First!"),
    ]
    edited = events("comment.edited")
    assert [(e.data["before"], e.data["after"]) for e in edited] == [(1, 2), (2, 3)]
    assert all("First" not in str(e.data) for e in edited)  # the text stays in revisions


def test_an_unchanged_edit_changes_nothing(capability, member):
    comment = comment_post(target=capability, body="Same", actor=member)

    comment_edit(comment=comment, body="Same", actor=member)

    assert comment.revisions.count() == 1 and not events("comment.edited")


@pytest.mark.parametrize("editor", ["other_member", "chair", "reviewer"])
def test_nobody_edits_anothers_comment_not_even_the_chair(request, capability, member, editor):
    comment = comment_post(target=capability, body="Mine", actor=member)
    actor = request.getfixturevalue(editor)

    with pytest.raises(NotAllowed, match="for its author only"):
        comment_edit(comment=comment, body="Theirs", actor=actor)

    comment.refresh_from_db()
    assert comment.body == "Mine" and comment.revisions.count() == 1
    assert not events("comment.edited")


def test_a_hidden_comment_no_longer_changes(capability, member, chair):
    comment = comment_post(target=capability, body="Rude", actor=member)
    comment_hide(comment=comment, reason="Abusive", actor=chair)

    with pytest.raises(RuleRefused, match="hidden"):
        comment_edit(comment=comment, body="Sorry", actor=member)


# Resolving: the author or a chair


def test_the_author_resolves_and_reopens(capability, reviewer):
    comment = comment_post(target=capability, body="Typo in the description", actor=reviewer)

    comment_resolve(comment=comment, actor=reviewer)
    comment.refresh_from_db()
    assert comment.resolved_by == reviewer and comment.resolved_at is not None

    comment_reopen(comment=comment, actor=reviewer)
    comment.refresh_from_db()
    assert comment.resolved_by is None and comment.resolved_at is None
    assert events("comment.reopened")[0].data["resolved_by"] == "reviewer"


def test_a_chair_resolves_anyones_comment_and_another_member_cannot(
    capability, reviewer, other_member, chair
):
    comment = comment_post(target=capability, body="Please look", actor=reviewer)

    with pytest.raises(NotAllowed, match="its author or the chair"):
        comment_resolve(comment=comment, actor=other_member)
    comment_resolve(comment=comment, actor=chair)

    comment.refresh_from_db()
    assert comment.resolved_by == chair
    with pytest.raises(NotAllowed, match="its author or the chair"):
        comment_reopen(comment=comment, actor=other_member)


def test_resolving_twice_is_resolving_once(capability, reviewer):
    comment = comment_post(target=capability, body="x", actor=reviewer)

    comment_resolve(comment=comment, actor=reviewer)
    comment_resolve(comment=comment, actor=reviewer)

    assert len(events("comment.resolved")) == 1


# Hiding: a chair, with who and why; the row stays


def test_a_chair_hides_a_comment_with_who_and_why_and_it_stays(capability, member, chair):
    comment = comment_post(target=capability, body="Something abusive", actor=member)

    comment_hide(comment=comment, reason="  Personal attack  ", actor=chair)

    comment.refresh_from_db()
    assert comment.hidden_by == chair and comment.hidden_at is not None
    assert comment.hidden_reason == "Personal attack"
    assert comment.body == "Something abusive"  # kept, for chairs
    assert Comment.objects.filter(pk=comment.pk).exists()
    [hidden] = events("comment.hidden")
    assert (hidden.actor, hidden.data["reason"]) == (chair, "Personal attack")


def test_only_a_chair_hides_and_always_saying_why(capability, member, other_member, chair):
    comment = comment_post(target=capability, body="x", actor=other_member)

    for actor in (member, other_member):
        with pytest.raises(NotAllowed, match="Hiding a comment is for the chair"):
            comment_hide(comment=comment, reason="No", actor=actor)
    with pytest.raises(GuidelineError, match="needs its reason"):
        comment_hide(comment=comment, reason="  ", actor=chair)
    comment.refresh_from_db()
    assert comment.hidden_at is None

    comment_hide(comment=comment, reason="Spam", actor=chair)
    with pytest.raises(RuleRefused, match="hidden already, by chair"):
        comment_hide(comment=comment, reason="Again", actor=chair)


def test_the_database_refuses_a_hidden_comment_without_who_or_why(capability, member, chair):
    from django.utils import timezone

    comment = comment_post(target=capability, body="x", actor=member)
    for change in (
        {"hidden_at": timezone.now()},
        {"hidden_at": timezone.now(), "hidden_by": chair},
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            Comment.objects.filter(pk=comment.pk).update(**change)


def test_a_comment_is_never_deleted_with_what_it_is_about(capability, reviewer):
    from django.db.models import ProtectedError

    comment = comment_post(target=capability, body="x", actor=reviewer)

    with pytest.raises(ProtectedError), transaction.atomic():
        capability.delete()
    assert Comment.objects.filter(pk=comment.pk).exists()


# Events


def test_each_change_is_recorded_with_who_what_and_the_guideline(capability, member, chair):
    comment = comment_post(target=capability, body="x", actor=member)
    comment_post(parent=comment, body="y", actor=chair)
    comment_edit(comment=comment, body="x2", actor=member)
    comment_resolve(comment=comment, actor=chair)
    comment_reopen(comment=comment, actor=member)
    comment_hide(comment=comment, reason="Off topic", actor=chair)

    recorded = list(Event.objects.filter(kind__startswith="comment.").order_by("pk"))
    assert [(e.kind, e.actor.username) for e in recorded] == [
        ("comment.posted", "member"),
        ("comment.posted", "chair"),
        ("comment.edited", "member"),
        ("comment.resolved", "chair"),
        ("comment.reopened", "member"),
        ("comment.hidden", "chair"),
    ]
    assert {e.guideline_key for e in recorded} == {"next"}
    assert recorded[0].subject_type == "comment"
    assert recorded[0].data["target"] == {"type": "capability", "id": str(capability.pk)}
    assert recorded[1].data["parent"] == comment.pk
    assert "replied to comment" in recorded[1].summary


def test_a_refused_change_records_nothing(capability, member, other_member):
    comment = comment_post(target=capability, body="x", actor=member)
    before = Event.objects.count()

    with pytest.raises(NotAllowed):
        comment_edit(comment=comment, body="y", actor=other_member)

    assert Event.objects.count() == before
    assert CommentRevision.objects.count() == 1


# Markdown renders inert

HOSTILE = [
    "<script>alert(1)</script>",
    "[x](javascript:alert(1))",
    "[x](JavaScript:alert(1))",
    "[x](java&#x09;script:alert(1))",
    '<a href="javascript:alert(1)">x</a>',
    "<img src=x onerror=alert(1)>",
    '<div onclick="alert(1)">raw html</div>',
    "<iframe src=https://evil.example></iframe>",
    "![x](https://evil.example/track.png)",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[x](vbscript:msgbox(1))",
    "<svg onload=alert(1)>",
    "<style>body{display:none}</style>",
]


class Elements(HTMLParser):
    """Every element of some HTML, with its attributes."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, dict]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))


def assert_inert(html: str) -> None:
    """Only the allow-listed tags; no event handler, style or src; links only to
    http, https and mailto, nofollow."""
    for tag, attrs in Elements(html).found:
        assert tag in TAGS, (tag, html)
        assert set(attrs) <= {"href", "rel", "start"}, (attrs, html)
        if "href" in attrs:
            assert urlsplit(attrs["href"]).scheme in {"http", "https", "mailto"}, html
        if tag == "a":
            assert attrs.get("rel") == "nofollow noopener", html


@pytest.mark.parametrize("source", HOSTILE)
def test_hostile_markdown_is_stored_inert(capability, reviewer, source):
    comment = comment_post(target=capability, body=source, actor=reviewer)

    stored = Comment.objects.get(pk=comment.pk)
    assert_inert(stored.body_html)
    assert_inert(stored.revisions.get().body_html)
    assert stored.body == source  # the source is kept as written


def test_the_inertness_check_itself_catches_what_it_should():
    for html in (
        "<script>x</script>",
        '<a href="javascript:alert(1)" rel="nofollow noopener">x</a>',
        '<p onclick="x">y</p>',
        '<img src="x" onerror="y">',
        '<a href="https://x.org">no rel</a>',
    ):
        with pytest.raises(AssertionError):
            assert_inert(html)


def test_raw_html_shows_as_the_text_it_is():
    assert render("<script>alert(1)</script>") == "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>"
    assert render("<b>bold?</b>") == "<p>&lt;b&gt;bold?&lt;/b&gt;</p>"


def test_a_javascript_link_is_no_link():
    assert "<a" not in render("[x](javascript:alert(1))")
    assert render("[x](java&#x09;script:alert(1))") == '<p><a rel="nofollow noopener">x</a></p>'


def test_links_are_http_https_or_mailto_and_nofollow():
    html = render("[a](https://example.org) [b](http://example.org) [c](mailto:a@example.org)")
    assert html == (
        '<p><a href="https://example.org" rel="nofollow noopener">a</a> '
        '<a href="http://example.org" rel="nofollow noopener">b</a> '
        '<a href="mailto:a@example.org" rel="nofollow noopener">c</a></p>'
    )
    assert "href" not in render("[a](ftp://example.org/x) [b](/relative)")


def test_markdown_keeps_what_a_review_needs():
    html = render("**bold** _it_ `code` ~~gone~~\n\n> quoted\n\n- one\n- two\n\n```\nblock\n```")
    for tag in ("<strong>", "<em>", "<code>", "<s>", "<blockquote>", "<ul>", "<pre>"):
        assert tag in html
    assert render("# Not a heading") == "<p># Not a heading</p>"


# For notifications and the dashboard


def test_thread_participants_are_everyone_who_wrote_in_the_thread(
    capability, reviewer, member, chair
):
    first = comment_post(target=capability, body="x", actor=reviewer)
    reply = comment_post(parent=first, body="y", actor=member)
    comment_post(parent=reply, body="z", actor=member)
    comment_post(target=capability, body="another thread", actor=chair)

    assert thread_participants(reply) == [member, reviewer]
    assert thread_participants(first) == [member, reviewer]


def test_threads_await_the_reply_of_those_who_wrote_in_them_until_resolved(
    capability, reviewer, member
):
    first = comment_post(target=capability, body="Question", actor=reviewer)
    assert threads_awaiting_reply(reviewer) == []
    assert threads_awaiting_reply(member) == []

    comment_post(parent=first, body="Answer", actor=member)
    assert threads_awaiting_reply(reviewer) == [first]
    assert threads_awaiting_reply(member) == []

    comment_resolve(comment=first, actor=reviewer)
    assert threads_awaiting_reply(reviewer) == []
    assert threads_awaiting_reply(UserFactory(username="nobody")) == []


def test_replacing_a_commented_draft_keeps_each_thread_on_its_part_by_name(
    demo_draft, capability, member, chair
):
    """The importer deletes and recreates a draft's capabilities and tests; their
    comments follow them by name (guidelines.signals), and one whose part the new
    document lacks stays on the guideline, anchored to the name."""
    import json

    from guidelines.selectors import guideline_document
    from guidelines.services import guideline_import

    test = capability.tests.order_by("name").first()
    dropped = Capability.objects.get(guideline=demo_draft, key="images-v1-list")
    on_capability = comment_post(target=capability, body="Why list?", actor=member)
    reply = comment_post(parent=on_capability, body="Tooling needs it.", actor=chair)
    on_test = comment_post(target=test, body="Flaky?", actor=member)
    on_dropped = comment_post(target=dropped, body="Gone soon.", actor=member)
    document = guideline_document(demo_draft)
    del document["capabilities"]["images-v1-list"]
    for component in document["components"].values():
        for names in component["capabilities"].values():
            if "images-v1-list" in names:
                names.remove("images-v1-list")
    document["metadata"]["os_trademark_approval"]["releases"].append("2026.2")

    guideline_import(
        raw=json.dumps(document).encode(),
        key="next",
        filename="next.json",
        actor=chair,
        replace=True,
    )

    new_capability = Capability.objects.get(guideline=demo_draft, key="compute-servers-list")
    assert new_capability.pk != capability.pk  # a new row, found by its name
    for comment in (on_capability, reply):
        comment.refresh_from_db()
        assert (comment.capability_id, comment.guideline_id, comment.anchor) == (
            new_capability.pk,
            None,
            "",
        )
    on_test.refresh_from_db()
    assert on_test.test.name == test.name and on_test.test.capability_id == new_capability.pk
    on_dropped.refresh_from_db()
    assert on_dropped.capability_id is None
    assert on_dropped.guideline_id == demo_draft.pk
    assert on_dropped.anchor == "capability:images-v1-list"
