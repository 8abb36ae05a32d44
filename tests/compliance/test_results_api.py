"""RefStack's results contract as refstack-client speaks it: unsigned and signed uploads
with real RSA signatures, key registration with a self-signature, and every malformed
body refused with a 400 that names the field (RefStack answered most of them 500)."""

from __future__ import annotations

import json

import pytest
from rest_framework.test import APIClient

from committee.models import Event
from compliance.models import PublicKey, TestRun
from tests.compliance.helpers import body, public_key, sign

pytestmark = pytest.mark.django_db

TESTS = [
    ("tempest.api.compute.servers.test_create_server.ServersTestJSON.test_list_servers", ""),
    (
        "tempest.api.identity.v3.test_tokens.TokensV3Test.test_create_token",
        "97e794b1-0678-5867-b844-677c2fba2daa",
    ),
]


def post(client, data: bytes, path="/v1/results/", **headers):
    # refstack-client posts json.dumps(...) with Content-Type application/json.
    return client.generic("POST", path, data, content_type="application/json", **headers)


def signed_in(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def register(user, name="vendor"):
    response = signed_in(user).post(
        "/v1/profile/pubkeys",
        {"raw_key": public_key(name), "self_signature": sign(b"signature", name)},
        format="json",
    )
    assert response.status_code == 201, response.content
    return response.json()


@pytest.mark.parametrize("path", ["/v1/results/", "/v1/results", "/api/v1/results"])
def test_an_unsigned_upload_is_stored_and_public(path):
    response = post(APIClient(), body(TESTS), path)
    assert response.status_code == 201, response.content
    answer = response.json()
    run = TestRun.objects.get(pk=answer["test_id"])
    assert answer["url"].endswith(f"/results/{run.id}/")
    assert (run.cpid, run.duration_seconds, run.owner, run.test_count) == (
        "cloud-1234",
        3600,
        None,
        2,
    )
    assert run.tests == [[TESTS[0][0], ""], [TESTS[1][0], TESTS[1][1]]]
    listed = APIClient().get("/v1/results").json()
    assert [item["id"] for item in listed["results"]] == [str(run.id)]
    assert listed["pagination"] == {"current_page": 1, "total_pages": 1}
    detail = APIClient().get(f"/v1/results/{run.id}").json()
    assert detail["results"] == [name for name, _ in TESTS]
    assert detail["user_role"] == "anonymous" and "cpid" not in detail


def test_a_signed_upload_belongs_to_the_keys_owner_and_stays_theirs(member, reviewer):
    register(member)
    data = body(TESTS)
    response = post(APIClient(), data, HTTP_X_SIGNATURE=sign(data), HTTP_X_PUBLIC_KEY=public_key())
    assert response.status_code == 201, response.content
    run = TestRun.objects.get(pk=response.json()["test_id"])
    assert run.owner == member and run.signed
    assert Event.objects.filter(kind="run.uploaded", actor=member).count() == 1
    # Hidden from others until shared, as RefStack did.
    assert APIClient().get(f"/v1/results/{run.id}").status_code == 401
    assert signed_in(reviewer).get(f"/v1/results/{run.id}").status_code == 403
    assert APIClient().get("/v1/results").json()["results"] == []
    mine = signed_in(member).get(f"/v1/results/{run.id}").json()
    assert mine["user_role"] == "owner" and mine["cpid"] == "cloud-1234"
    assert [
        r["id"] for r in signed_in(member).get("/v1/results?signed=true").json()["results"]
    ] == [str(run.id)]


def test_an_unknown_key_is_a_401_and_a_forged_signature_a_400(member):
    data = body(TESTS)
    unknown = post(
        APIClient(),
        data,
        HTTP_X_SIGNATURE=sign(data, "stranger"),
        HTTP_X_PUBLIC_KEY=public_key("stranger"),
    )
    assert unknown.status_code == 401, unknown.content
    assert "no user has registered this key" in unknown.json()["error"]["message"]
    register(member)
    forged = post(
        APIClient(), data, HTTP_X_SIGNATURE=sign(data, "stranger"), HTTP_X_PUBLIC_KEY=public_key()
    )
    assert forged.status_code == 400
    assert "signature verification failed" in forged.json()["error"]["message"]
    tampered = post(
        APIClient(),
        data.replace(b"cloud-1234", b"cloud-9999"),
        HTTP_X_SIGNATURE=sign(data),
        HTTP_X_PUBLIC_KEY=public_key(),
    )
    assert tampered.status_code == 400
    for signature, key, says in [
        ("zz", public_key(), "malformed signature"),
        (sign(data), "ssh-rsa not-base64!", "malformed public key"),
        (sign(data), "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIA", "must start with ssh-rsa"),
        (sign(data), "", "both X-Signature and X-Public-Key"),
    ]:
        response = post(APIClient(), data, HTTP_X_SIGNATURE=signature, HTTP_X_PUBLIC_KEY=key)
        assert response.status_code == 400, (signature, key, response.content)
        assert says in response.json()["error"]["message"]
    assert not TestRun.objects.exists()


def test_keys_are_registered_with_a_self_signature_listed_and_removed(member, reviewer):
    bad = signed_in(member).post(
        "/v1/profile/pubkeys",
        {"raw_key": public_key(), "self_signature": sign(b"something else")},
        format="json",
    )
    assert bad.status_code == 400 and "self_signature" in bad.json()["error"]["message"]
    # refstack-client sign prints both as Python bytes literals.
    quoted = signed_in(member).post(
        "/v1/profile/pubkeys",
        {"raw_key": f"b'{public_key()}'", "self_signature": f"b'{sign(b'signature')}'"},
        format="json",
    )
    assert quoted.status_code == 201, quoted.content
    key = quoted.json()
    assert key["comment"] == "vendor@example.org"
    again = signed_in(reviewer).post(
        "/v1/profile/pubkeys",
        {"raw_key": public_key(), "self_signature": sign(b"signature")},
        format="json",
    )
    assert again.status_code == 409
    assert [k["id"] for k in signed_in(member).get("/v1/profile/pubkeys").json()] == [key["id"]]
    assert signed_in(reviewer).get("/v1/profile/pubkeys").json() == []
    assert signed_in(reviewer).delete(f"/v1/profile/pubkeys/{key['id']}").status_code == 400
    assert APIClient().post("/v1/profile/pubkeys", {}, format="json").status_code == 401
    assert signed_in(member).delete(f"/v1/profile/pubkeys/{key['id']}").status_code == 204
    assert not PublicKey.objects.exists()


LONG = "tempest." + "x" * 600
MALFORMED = [
    (b"not json", "body"),
    (b"[1, 2]", "body"),
    (b'{"duration_seconds": 1, "results": []}', "cpid"),
    (json.dumps({"cpid": "x" * 129, "duration_seconds": 1, "results": []}).encode(), "cpid"),
    (
        json.dumps({"cpid": "c", "duration_seconds": 2**31, "results": []}).encode(),
        "duration_seconds",
    ),
    (json.dumps({"cpid": "c", "duration_seconds": -1, "results": []}).encode(), "duration_seconds"),
    (
        json.dumps({"cpid": "c", "duration_seconds": True, "results": []}).encode(),
        "duration_seconds",
    ),
    (json.dumps({"cpid": "c", "duration_seconds": 1, "results": {}}).encode(), "results"),
    (json.dumps({"cpid": "c", "duration_seconds": 1, "results": [1]}).encode(), "results[0]"),
    (
        json.dumps({"cpid": "c", "duration_seconds": 1, "results": [{"uuid": ""}]}).encode(),
        "results[0].name",
    ),
    (
        json.dumps({"cpid": "c", "duration_seconds": 1, "results": [{"name": LONG}]}).encode(),
        "results[0].name",
    ),
    (
        json.dumps(
            {"cpid": "c", "duration_seconds": 1, "results": [{"name": "a\u0000b"}]}
        ).encode(),
        "results[0].name",
    ),
    (
        json.dumps(
            {"cpid": "c", "duration_seconds": 1, "results": [{"name": "t"}, {"name": "t"}]}
        ).encode(),
        "results[1].name",
    ),
    (
        json.dumps(
            {"cpid": "c", "duration_seconds": 1, "results": [{"name": "t", "uuid": "not-a-uuid"}]}
        ).encode(),
        "results[0].uuid",
    ),
    (
        json.dumps(
            {"cpid": "c", "duration_seconds": 1, "results": [{"name": "t", "uuid": "9" * 37}]}
        ).encode(),
        "results[0].uuid",
    ),
    (b"[" * 100 + b"]" * 100, "MAX_JSON_DEPTH"),
]


@pytest.mark.parametrize(("data", "field"), MALFORMED)
def test_every_malformed_body_is_a_400_naming_the_field(data, field):
    response = post(APIClient(), data)
    assert response.status_code == 400, response.content
    assert field in response.json()["error"]["message"]
    assert not TestRun.objects.exists()


def test_listing_filters_and_pages_as_refstack(member):
    for n in range(25):
        post(APIClient(), body(TESTS, cpid="a" if n % 2 else "b"))
    first = APIClient().get("/v1/results").json()
    assert len(first["results"]) == 20 and first["pagination"]["total_pages"] == 2
    assert APIClient().get("/v1/results?page=3").status_code == 400
    assert APIClient().get("/v1/results?page=x").status_code == 400
    assert APIClient().get("/v1/results?page=\u00b2").status_code == 400  # a digit, not ASCII
    assert APIClient().get("/v1/results?page=" + "9" * 5000).status_code == 400
    assert len(APIClient().get("/v1/results?cpid=a").json()["results"]) == 12
    assert APIClient().get("/v1/results?start_date=2999-01-01").json()["results"] == []
    assert len(APIClient().get("/v1/results?end_date=2999-01-01").json()["results"]) == 20
    assert APIClient().get("/v1/results?start_date=yesterday").status_code == 400
    assert APIClient().get("/v1/results?signed=true").status_code == 401
    created = [r["created_at"] for r in first["results"]]
    assert created == sorted(created, reverse=True)
    assert APIClient().get("/v1/results/not-a-uuid").status_code == 404
    assert APIClient().get("/v1/results/00000000-0000-0000-0000-000000000000").status_code == 404
