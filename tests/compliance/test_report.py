"""The compliance report: a run against a guideline and target, capability by capability.

On the demo 2026.06 (project data) and on the committee's 2020.06 (real data): all the
required tests comply; one capability's tests missing fail exactly that capability;
flagged tests never count against it; a test passes under an alias or by its id alone;
components and add-ons are targets too.
"""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from compliance.models import TestRun
from compliance.report import report
from compliance.upload import bare_uuid
from guidelines import testlist
from guidelines.selectors import guideline_bundle
from tests.compliance.helpers import body
from tests.conftest import DEMO
from tests.guidelines.helpers import import_file

pytestmark = pytest.mark.django_db


def required_tests(guideline, target="platform", *, flagged=False):
    """(name, bare uuid) of every test of the target's required capabilities."""
    from guidelines.testlist import targets

    bundle = guideline_bundle(guideline)
    components = set(targets(bundle)[target])
    required = {
        entry.name
        for component, entries in bundle.components
        if component.name in components
        for entry in entries
        if entry.kind == "capabilities" and entry.status == "required"
    }
    found = {}
    for capability, tests in bundle.capabilities:
        if capability.key in required:
            for test in tests:
                if test.is_flagged and not flagged:
                    continue
                found[test.name] = (capability.key, bare_uuid(test.idempotent_id or "") or "")
    return found


def run_of(tests) -> TestRun:
    response = APIClient().generic(
        "POST", "/v1/results/", body(tests), content_type="application/json"
    )
    assert response.status_code == 201, response.content
    return TestRun.objects.get(pk=response.json()["test_id"])


def outcome(run, guideline, target=None) -> tuple[bool, set[str]]:
    found = report(run, guideline_bundle(guideline), target)
    failing = {c.name for c in found.capabilities if c.status == "required" and not c.passed}
    return found.compliant, failing


def check_the_rules(guideline, target="platform"):
    tests = required_tests(guideline, target)
    everything = [(name, uuid) for name, (_, uuid) in tests.items()]
    assert outcome(run_of(everything), guideline, target) == (True, set())
    # One capability's tests missing: exactly that capability fails.
    victim = sorted({capability for capability, _ in tests.values()})[0]
    without = [(n, u) for n, (c, u) in tests.items() if c != victim]
    assert outcome(run_of(without), guideline, target) == (False, {victim})
    # Only the unflagged tests were sent: flagged ones never count against it.
    flagged = required_tests(guideline, target, flagged=True)
    assert len(flagged) >= len(tests)
    # By idempotent id alone, under another name: still present.
    renamed = [(f"renamed.{n}", u) for n, (_, u) in tests.items() if u]
    named = [(n, u) for n, (_, u) in tests.items() if not u]
    assert outcome(run_of(renamed + named), guideline, target) == (True, set())


def test_the_rules_on_the_demo_guideline(system):
    demo = import_file(DEMO / "2026.06.json").guideline
    check_the_rules(demo)
    # The demo's flagged test of compute-servers-list is reported apart.
    run = run_of([(n, u) for n, (_, u) in required_tests(demo).items()])
    found = report(run, guideline_bundle(demo))
    listed = next(c for c in found.capabilities if c.name == "compute-servers-list")
    assert listed.passed and len(listed.tests["flagged"]) == 1
    # An alias passes where the name is missing.
    alias = "tempest.api.compute.servers.test_servers.ServersTestJSON.test_list_servers"
    main = "tempest.api.compute.servers.test_create_server.ServersTestJSON.test_list_servers"
    tests = [(n, "") for n in required_tests(demo) if n != main] + [(alias, "")]
    assert outcome(run_of(tests), demo) == (True, set())


def test_a_component_target_and_an_add_on_target(system):
    demo = import_file(DEMO / "2026.06.json").guideline
    check_the_rules(demo, "compute")
    dns = import_file(DEMO / "dns.2026.06.json").guideline
    check_the_rules(dns, "dns")
    with pytest.raises(testlist.TestListError, match="not one of"):
        report(run_of([]), guideline_bundle(demo), "nowhere")


def test_the_rules_on_the_committees_2020_06(real_files, system):
    guideline = import_file(real_files["2020.06"]).guideline
    check_the_rules(guideline, "platform")
    check_the_rules(guideline, "compute")
    check_the_rules(guideline, "object")


def test_an_add_on_target_on_real_data(real_files, system):
    check_the_rules(import_file(real_files["orchestration.2020.06"]).guideline, "orchestration")


def test_the_report_route(system):
    demo = import_file(DEMO / "2026.06.json").guideline
    run = run_of([(n, u) for n, (_, u) in required_tests(demo).items()])
    client = APIClient()
    answer = client.get(f"/api/v1/results/{run.id}/report?guideline=2026.06&target=platform")
    assert answer.status_code == 200
    data = answer.json()
    assert (data["guideline"], data["target"], data["compliant"]) == ("2026.06", "platform", True)
    assert {"name", "status", "passed", "tests"} <= set(data["capabilities"][0])
    assert client.get(f"/api/v1/results/{run.id}/report").status_code == 400
    assert client.get(f"/api/v1/results/{run.id}/report?guideline=nothing").status_code == 404
    bad = client.get(f"/api/v1/results/{run.id}/report?guideline=2026.06&target=moon")
    assert bad.status_code == 400 and "target" in bad.json()["error"]["message"]


def subunit_stream(outcomes) -> bytes:
    """A subunit v2 stream as tempest writes it: ids with [id-<uuid>,attributes]."""
    import io

    from subunit import StreamResultToBytes

    buffer = io.BytesIO()
    writer = StreamResultToBytes(buffer)
    for test_id, status in outcomes:
        writer.status(test_id=test_id, test_status="inprogress")
        writer.status(test_id=test_id, test_status=status)
    return buffer.getvalue()


def test_a_subunit_stream_keeps_failures_and_skips(system):
    demo = import_file(DEMO / "2026.06.json").guideline
    tests = required_tests(demo)
    names = sorted(tests)
    failing, skipped = names[0], names[1]
    outcomes = []
    for name in names:
        uuid = tests[name][1]
        test_id = f"{name}[id-{uuid},smoke]" if uuid else name
        status = "fail" if name == failing else "skip" if name == skipped else "success"
        outcomes.append((test_id, status))
    response = APIClient().generic(
        "POST",
        "/api/v1/results/subunit?cpid=cloud-7&duration_seconds=900",
        subunit_stream(outcomes),
        content_type="application/octet-stream",
    )
    assert response.status_code == 201, response.content
    run = TestRun.objects.get(pk=response.json()["test_id"])
    assert (run.source, run.cpid, run.duration_seconds) == ("subunit", "cloud-7", 900)
    assert [name for name, _ in run.failed] == [failing]
    assert [name for name, _ in run.skipped] == [skipped]
    assert len(run.tests) == len(names) - 2
    assert all(uuid for name, uuid in run.tests if tests[name][1])  # ids read from [id-...]
    found = report(run, guideline_bundle(demo))
    assert not found.compliant
    by_test = {
        test: (capability.name, kind)
        for capability in found.capabilities
        for kind in ("failed", "skipped")
        for test in capability.tests[kind]
    }
    assert by_test == {
        failing: (tests[failing][0], "failed"),
        skipped: (tests[skipped][0], "skipped"),
    }


@pytest.mark.parametrize(
    ("query", "data", "says"),
    [
        ("cpid=c&duration_seconds=1", b"", "no test"),
        ("cpid=c&duration_seconds=1", b"\xb3" + b"\x00" * 20, "corrupt"),
        ("duration_seconds=1", b"x", "cpid"),
        ("cpid=c&duration_seconds=-1", b"x", "duration_seconds"),
        ("cpid=c&duration_seconds=99999999999999", b"x", "duration_seconds"),
        ("cpid=c&duration_seconds=\u00b2", b"x", "duration_seconds"),
    ],
)
def test_a_bad_subunit_upload_is_a_400(query, data, says):
    response = APIClient().generic(
        "POST", f"/api/v1/results/subunit?{query}", data, content_type="application/octet-stream"
    )
    assert response.status_code == 400, response.content
    assert says in response.json()["error"]["message"]
    assert not TestRun.objects.exists()


def test_the_summary_says_which_approved_guidelines_and_targets_a_run_satisfies(system):
    demo = import_file(DEMO / "2026.06.json").guideline
    import_file(DEMO / "dns.2026.06.json")
    run = run_of([(n, u) for n, (_, u) in required_tests(demo, "compute").items()])
    answer = APIClient().get(f"/api/v1/results/{run.id}/summary")
    assert answer.status_code == 200
    standing = {
        (s["guideline"], s["target"]): (s["compliant"], s["failing"]) for s in answer.json()
    }
    assert standing[("2026.06", "compute")] == (True, [])
    assert standing[("2026.06", "os_powered_compute")] == (True, [])
    compliant, failing = standing[("2026.06", "platform")]
    assert not compliant and failing == ["objectstore-object-upload"]
    assert standing[("dns.2026.06", "dns")][0] is False
