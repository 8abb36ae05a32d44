"""Reading an upload's body: refstack-client's JSON, checked field by field.

RefStack answered 500 for most malformed bodies (DOMAIN: REFSTACK.md, "Where
RefStack fails"). Here each problem is a 400 naming the field and, in the list
of results, the item: ``results[3].name: ...``.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field

from guidelines.errors import GuidelineError
from guidelines.interop_format.nesting import TooDeep, loads_bounded

MAX_NAME = 512
MAX_UUID = 36
MAX_CPID = 128
MAX_DURATION = 2**31 - 1
MAX_SHOWN = 5


class UploadError(GuidelineError):
    """A malformed upload (400); ``fields`` maps each field to what is wrong with it."""

    def __init__(self, problems: dict[str, str]):
        self.fields = problems
        shown = "; ".join(f"{k}: {v}" for k, v in list(problems.items())[:MAX_SHOWN])
        more = len(problems) - MAX_SHOWN
        super().__init__(shown + (f"; and {more} more" if more > 0 else ""))


@dataclass(frozen=True)
class Upload:
    cpid: str
    duration_seconds: int
    tests: list[list[str]]  # passed: [name, bare uuid or ""]
    failed: list[list[str]] = field(default_factory=list)  # subunit streams only
    skipped: list[list[str]] = field(default_factory=list)


def run_fields(cpid, duration) -> dict[str, str]:
    """What is wrong with a run's cpid and duration, by field; empty if nothing."""
    problems = {}
    if not isinstance(cpid, str) or not _text_ok(cpid) or len(cpid) > MAX_CPID:
        problems["cpid"] = f"the cloud's id, a string of 1 to {MAX_CPID} characters"
    if (
        not isinstance(duration, int)
        or isinstance(duration, bool)
        or not 0 <= duration <= MAX_DURATION
    ):
        problems["duration_seconds"] = f"a whole number of seconds from 0 to {MAX_DURATION}"
    return problems


def bare_uuid(value: str) -> str | None:
    """Tempest's idempotent id as a canonical bare UUID (``id-`` prefix accepted)."""
    text = value.strip().lower().removeprefix("id-")
    if len(text) != MAX_UUID:
        return None
    try:
        return str(uuid.UUID(text))
    except ValueError:
        return None


def _text_ok(value: str) -> bool:
    return "\x00" not in value and value == value.strip() and value != ""


def read_upload(body: bytes) -> Upload:
    try:
        data = loads_bounded(json.loads, body)
    except TooDeep as exc:
        raise UploadError({"body": str(exc)}) from None
    except ValueError:
        raise UploadError({"body": "not JSON"}) from None
    if not isinstance(data, dict):
        raise UploadError({"body": "a JSON object with cpid, duration_seconds and results"})
    cpid, duration = data.get("cpid"), data.get("duration_seconds")
    problems: dict[str, str] = run_fields(cpid, duration)
    results = data.get("results")
    tests: list[list[str]] = []
    if not isinstance(results, list):
        problems["results"] = 'a list of {"name", "uuid"} objects'
        results = []
    seen: dict[str, int] = {}
    for index, item in enumerate(results):
        where = f"results[{index}]"
        if not isinstance(item, dict):
            problems[where] = 'an object {"name", "uuid"}'
            continue
        name = item.get("name")
        if not isinstance(name, str) or not _text_ok(name) or len(name) > MAX_NAME:
            problems[f"{where}.name"] = f"a test name of 1 to {MAX_NAME} characters"
            continue
        if name in seen:
            problems[f"{where}.name"] = f"{name[:80]!r} is listed twice (results[{seen[name]}])"
            continue
        seen[name] = index
        raw = item.get("uuid")
        if raw is None or raw == "":
            tests.append([name, ""])
            continue
        found = bare_uuid(raw) if isinstance(raw, str) and len(raw) <= MAX_UUID + 3 else None
        if found is None:
            problems[f"{where}.uuid"] = "tempest's idempotent id, a UUID"
            continue
        tests.append([name, found])
    if problems:
        raise UploadError(problems)
    return Upload(cpid=cpid, duration_seconds=duration, tests=tests)
