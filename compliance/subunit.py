"""Reading a subunit v2 stream (python-subunit), which RefStack specified but never took.

A stream keeps what a list of passed names loses: which tests failed and which
were skipped. Tempest names its tests ``module.Class.test_x[id-<uuid>,smoke]``;
the bracket is read for the idempotent id and dropped from the name.
"""

from __future__ import annotations

import io
import re

from subunit import ByteStreamToStreamResult
from testtools import StreamResult

from compliance.upload import MAX_NAME, Upload, UploadError, bare_uuid

PASSED = {"success", "xfail"}
FAILED = {"fail", "uxsuccess"}
SKIPPED = {"skip"}
ATTRIBUTES = re.compile(r"\A(?P<name>[^\[\]]+)(?:\[(?P<attributes>[^\[\]]*)\])?\Z")


class _Outcomes(StreamResult):
    """The last status of each test, and whether the parser met a corrupt packet."""

    def __init__(self):
        super().__init__()
        self.final: dict[str, str] = {}
        self.corrupt = False

    def status(self, test_id=None, test_status=None, **kwargs):
        if test_id == "subunit.parser":
            self.corrupt = True
        elif test_id and test_status and test_status != "inprogress":
            self.final[test_id] = test_status


def split_id(test_id: str) -> tuple[str, str]:
    """(name, bare uuid or "") of a tempest test id."""
    match = ATTRIBUTES.match(test_id.strip())
    if match is None:
        return test_id.strip(), ""
    for attribute in (match["attributes"] or "").split(","):
        found = bare_uuid(attribute) if attribute.strip().startswith("id-") else None
        if found:
            return match["name"], found
    return match["name"], ""


def read_subunit(stream: bytes, *, cpid: str, duration_seconds: int) -> Upload:
    """The run a subunit v2 stream records; UploadError if it is corrupt or has no test."""
    outcomes = _Outcomes()
    outcomes.startTestRun()
    ByteStreamToStreamResult(io.BytesIO(stream), non_subunit_name="stdout").run(outcomes)
    outcomes.stopTestRun()
    if outcomes.corrupt:
        raise UploadError({"body": "the subunit v2 stream is corrupt (a packet does not parse)"})
    if not outcomes.final:
        raise UploadError({"body": "no test in this subunit v2 stream"})
    kinds: dict[str, list[list[str]]] = {"passed": [], "failed": [], "skipped": []}
    for test_id, status in outcomes.final.items():
        name, uuid = split_id(test_id)
        if not name or len(name) > MAX_NAME or "\x00" in name:
            raise UploadError(
                {f"test {test_id[:80]!r}": f"a test name of 1 to {MAX_NAME} characters"}
            )
        if status in PASSED:
            kinds["passed"].append([name, uuid])
        elif status in FAILED:
            kinds["failed"].append([name, uuid])
        elif status in SKIPPED:
            kinds["skipped"].append([name, uuid])
    return Upload(
        cpid=cpid,
        duration_seconds=duration_seconds,
        tests=kinds["passed"],
        failed=kinds["failed"],
        skipped=kinds["skipped"],
    )
