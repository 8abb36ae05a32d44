"""The seats page (the chair's) and the account page (anyone signed in), without a browser."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from committee.models import Channel, Event, Seat
from committee.permissions import Standing, standing_of
from committee.services import seat_end, token_create

pytestmark = pytest.mark.django_db

User = get_user_model()
SEATS = "/committee/seats/"
ACCOUNT = "/account/"
NEW_TOKEN = "/account/token/"
REVOKE = "/account/token/revoke/"
SEAT_FORM = {"username": "alice", "role": "member", "affiliation": "ACME", "email": ""}


@pytest.fixture
def as_chair(client, chair):
    client.force_login(chair)
    return client


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def page(response) -> str:
    return response.content.decode()


def api_status(key: str) -> int:
    """What the API answers a write with this key: 401 if it names nobody."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client.post("/api/v1/drafts", {"family": "nope"}, format="json").status_code


# The seats page


def test_the_chair_sees_the_current_seats_the_history_and_the_form(as_chair, member, chair):
    seat_end(username="member", reason="Term ended", actor=chair)
    Seat.objects.create(user=member, role="chair", affiliation="Example Cloud")

    response = as_chair.get(SEATS)

    assert response.status_code == 200
    body = page(response)
    assert "<h1>Seats</h1>" in body
    assert 'action="/committee/seats/member/end/"' in body  # the current seat, to end
    assert "Ended seats" in body and "Ended the seat of member as committee member" in body
    assert 'name="username"' in body and 'name="role"' in body
    assert '<label for="id_email">E-mail address' in body


@pytest.mark.parametrize("who", ["member", "reviewer"])
def test_others_are_refused_the_seats_page_saying_who_may(request, who):
    client = signed_in(request.getfixturevalue(who))

    for response in (client.get(SEATS), client.post(SEATS, SEAT_FORM)):
        assert response.status_code == 403
        assert "Managing seats on the committee is for the chair" in page(response)
        assert f"you are signed in as a {who}" in page(response)
    assert not User.objects.filter(username="alice").exists()


def test_an_anonymous_visitor_is_refused_and_offered_to_sign_in(client, member):
    response = client.get(SEATS)
    ended = client.post("/committee/seats/member/end/", {"reason": "Term ended"})

    assert response.status_code == 403 and ended.status_code == 403
    assert "sign in first" in page(response)
    assert 'href="/accounts/login/?next=/committee/seats/"' in page(response)
    assert standing_of(member) == Standing.MEMBER


def test_the_chair_seats_someone_and_the_page_says_so(as_chair, chair):
    response = as_chair.post(SEATS, SEAT_FORM, follow=True)

    assert response.redirect_chain == [(SEATS, 302)]
    alice = User.objects.get(username="alice")
    assert standing_of(alice) == Standing.MEMBER and not alice.has_usable_password()
    assert "Seated alice as committee member (a new user" in page(response)
    event = Event.objects.get(kind="seat.granted")
    assert (event.actor, event.channel) == (chair, Channel.WEB)


def test_the_same_seat_again_says_nothing_changed(as_chair):
    as_chair.post(SEATS, SEAT_FORM)

    response = as_chair.post(SEATS, SEAT_FORM, follow=True)

    assert "alice is seated as committee member already: nothing changed" in page(response)
    assert Event.objects.filter(kind__startswith="seat.").count() == 1


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"role": "president"}, "Select a valid choice"),
        ({"username": ""}, "This field is required"),
        ({"username": "system"}, "it cannot hold a seat"),
        ({"email": "nope"}, "Enter a valid email address"),
    ],
)
def test_a_bad_seat_form_is_shown_again_with_the_reason(as_chair, fields, message):
    response = as_chair.post(SEATS, {**SEAT_FORM, **fields})

    assert response.status_code == 400
    assert message in page(response)
    assert not Seat.objects.exclude(user__username="chair").exists()


def test_the_chair_ends_a_seat_with_a_reason_and_it_stays_in_the_history(as_chair, member):
    response = as_chair.post("/committee/seats/member/end/", {"reason": "Term ended"}, follow=True)

    assert response.redirect_chain == [(SEATS, 302)]
    assert "Ended the seat of member; it is kept in the history." in page(response)
    assert standing_of(member) == Standing.REVIEWER
    assert Seat.objects.filter(user=member, valid_to__isnull=False).count() == 1
    assert Event.objects.get(kind="seat.ended").data["reason"] == "Term ended"


def test_ending_a_seat_needs_a_reason_and_a_seat(as_chair, member, reviewer):
    without_reason = as_chair.post("/committee/seats/member/end/", {"reason": " "})
    without_seat = as_chair.post("/committee/seats/reviewer/end/", {"reason": "Why not"})

    assert without_reason.status_code == 400
    assert "Say why the seat ends" in page(without_reason)
    assert without_seat.status_code == 400
    assert "reviewer holds no seat now" in page(without_seat)
    assert standing_of(member) == Standing.MEMBER
    assert not Event.objects.exists()


def test_what_people_typed_is_shown_inert(as_chair):
    as_chair.post(SEATS, {**SEAT_FORM, "affiliation": "<script>alert(1)</script>"})

    body = page(as_chair.get(SEATS))

    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


@pytest.mark.parametrize("path", [SEATS, ACCOUNT, NEW_TOKEN, REVOKE, "/committee/seats/x/end/"])
def test_the_pages_take_no_other_method(as_chair, path):
    assert as_chair.put(path).status_code == 405
    assert as_chair.delete(path).status_code == 405


# The header


def test_the_header_links_the_seats_page_for_the_chair_only_and_the_account_for_anyone_in(
    client, chair, member, reviewer
):
    assert "Your account" not in page(client.get("/"))
    for user, seats_link in ((chair, True), (member, False), (reviewer, False)):
        body = page(signed_in(user).get("/"))
        assert ('href="/committee/seats/"' in body) is seats_link, user
        assert 'href="/account/">Your account</a>' in body


# The account page


def test_the_account_page_asks_an_anonymous_visitor_to_sign_in(client):
    response = client.get(ACCOUNT)

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/account/"


def test_the_account_page_shows_the_standing_and_the_seat(member, reviewer):
    as_member = page(signed_in(member).get(ACCOUNT))
    as_reviewer = page(signed_in(reviewer).get(ACCOUNT))

    assert 'class="role role--member">member<' in as_member
    assert "Committee member for Example Cloud, since" in as_member
    assert 'class="role role--reviewer">reviewer<' in as_reviewer
    assert "You hold no seat on the committee" in as_reviewer
    assert "You have no token." in as_reviewer


def test_a_new_token_is_shown_once_on_its_own_response_and_works(reviewer):
    client = signed_in(reviewer)

    created = client.post(NEW_TOKEN)

    key = Token.objects.get(user=reviewer).key
    assert created.status_code == 200
    assert f'value="{key}"' in page(created)
    assert "no-store" in created["Cache-Control"]
    shown_again = client.get(ACCOUNT)
    assert key not in page(shown_again) and "You have a token, created" in page(shown_again)
    assert api_status(key) == 400  # the key signs the reviewer in: a bad family, not a bad key
    assert Event.objects.get(kind="token.created").channel == Channel.WEB


def test_replacing_a_token_on_the_page_stops_the_old_key(member):
    old = token_create(user=member, actor=member).key
    client = signed_in(member)

    created = client.post(NEW_TOKEN)

    new = Token.objects.get(user=member).key
    assert new != old and f'value="{new}"' in page(created) and old not in page(created)
    assert api_status(old) == 401


def test_revoking_on_the_page_stops_the_key(member):
    key = token_create(user=member, actor=member).key
    assert api_status(key) == 400  # the member, signed in: a bad family, not a bad key

    response = signed_in(member).post(REVOKE, follow=True)

    assert response.redirect_chain == [(ACCOUNT, 302)]
    assert "Your API token is revoked" in page(response)
    assert not Token.objects.filter(user=member).exists()
    assert api_status(key) == 401


def test_revoking_without_a_token_says_so(member):
    response = signed_in(member).post(REVOKE)

    assert response.status_code == 400
    assert "You have no API token to revoke." in page(response)


def test_an_anonymous_visitor_creates_no_token(client):
    response = client.post(NEW_TOKEN)

    assert response.status_code == 403
    assert "Managing your API token is for anyone signed in: sign in first." in page(response)
    assert not Token.objects.exists()


# CSRF: a session's writes need the CSRF token


def csrf_client(user) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


def csrf_token_of(client: Client, path: str) -> str:
    client.get(path)
    return client.cookies["csrftoken"].value


def test_a_session_write_without_the_csrf_token_is_refused(chair, member):
    token_create(user=chair, actor=chair)
    key = Token.objects.get(user=chair).key
    client = csrf_client(chair)

    answers = [
        client.post(SEATS, SEAT_FORM).status_code,
        client.post("/committee/seats/member/end/", {"reason": "Term ended"}).status_code,
        client.post(NEW_TOKEN).status_code,
        client.post(REVOKE).status_code,
    ]

    assert answers == [403, 403, 403, 403]
    assert not User.objects.filter(username="alice").exists()
    assert standing_of(member) == Standing.MEMBER
    assert Token.objects.get(user=chair).key == key


def test_the_same_writes_with_the_csrf_token_succeed(chair, member):
    client = csrf_client(chair)
    csrf = csrf_token_of(client, SEATS)

    seated = client.post(SEATS, {**SEAT_FORM, "csrfmiddlewaretoken": csrf})
    ended = client.post(
        "/committee/seats/member/end/", {"reason": "x", "csrfmiddlewaretoken": csrf}
    )
    created = client.post(NEW_TOKEN, {"csrfmiddlewaretoken": csrf})

    assert [seated.status_code, ended.status_code, created.status_code] == [302, 302, 200]
    assert standing_of(User.objects.get(username="alice")) == Standing.MEMBER
    assert standing_of(member) == Standing.REVIEWER
    assert Token.objects.filter(user=chair).exists()
