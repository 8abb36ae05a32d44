"""The management commands: import_guidelines, export_guideline, start_draft, load_demo."""

import json
import os
import subprocess
import sys
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from guidelines.models import Capability, Guideline

from .conftest_paths import REPO
from .helpers import DATA, project_path

pytestmark = pytest.mark.django_db


def run(*args):
    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_import_folders_takes_every_json_file_below_them(tmp_path):
    nested = tmp_path / "add-ons" / "2024"
    nested.mkdir(parents=True)
    (nested / "orchestration.2024.01.json").write_bytes(
        project_path("orchestration.2024.01").read_bytes()
    )
    (tmp_path / "2024.01.json").write_bytes(project_path("2024.01").read_bytes())
    (tmp_path / "notes.txt").write_text("not a guideline")

    out, _ = run("import_guidelines", str(tmp_path))

    assert set(Guideline.objects.values_list("key", flat=True)) == {
        "2024.01",
        "orchestration.2024.01",
    }
    assert "created 2024.01 (schema 2.0, approved): 13 capabilities, 19 tests, 3 flagged" in out
    assert "2 created, 0 replaced, 0 unchanged, 0 failed" in out


def test_import_of_the_project_test_guidelines_takes_each_generation():
    out, _ = run("import_guidelines", str(DATA))

    keys = sorted(path.name.removesuffix(".json") for path in DATA.glob("*.json"))
    assert sorted(Guideline.objects.values_list("key", flat=True)) == keys
    assert "created 2021.01 (schema 1.2, superseded): 9 capabilities, 14 tests, 2 flagged" in out
    assert "created 2022.01 (schema 1.4, superseded): 10 capabilities, 15 tests, 1 flagged" in out
    assert "created next (schema 2.0, draft): 13 capabilities, 19 tests, 3 flagged" in out
    assert f"{len(keys)} created, 0 replaced, 0 unchanged, 0 failed" in out


def test_import_reports_a_bad_file_by_name_and_place_and_keeps_going(tmp_path):
    (tmp_path / "2024.01.json").write_bytes(project_path("2024.01").read_bytes())
    (tmp_path / "broken.json").write_text('{"schema": "1.2",\n  "id": "x",,\n}')

    with pytest.raises(CommandError, match="1 of 2 files failed"):
        run("import_guidelines", str(tmp_path))
    # The good file is in, the bad one left nothing.
    assert list(Guideline.objects.values_list("key", flat=True)) == ["2024.01"]


def test_import_error_message_names_file_line_and_column(tmp_path):
    bad = tmp_path / "broken.json"
    bad.write_text('{"schema": "1.2",\n  "id": "x",,\n}')
    err = StringIO()

    with pytest.raises(CommandError):
        call_command("import_guidelines", str(bad), stdout=StringIO(), stderr=err)

    assert f"{bad}: line 2, column 13: invalid JSON" in err.getvalue()


def test_import_of_a_missing_path_fails():
    with pytest.raises(CommandError, match="no such file or folder"):
        run("import_guidelines", "/nonexistent/guidelines")


def test_reimport_reports_unchanged():
    run("import_guidelines", str(project_path("2021.01")))
    out, _ = run("import_guidelines", str(project_path("2021.01")))

    assert "unchanged 2021.01" in out
    assert "0 created, 0 replaced, 1 unchanged, 0 failed" in out


def test_export_writes_the_document_to_a_file(tmp_path):
    run("import_guidelines", str(project_path("2022.06")))
    target = tmp_path / "out.json"

    run("export_guideline", "2022.06", "--output", str(target))

    assert json.loads(target.read_text()) == json.loads(project_path("2022.06").read_bytes())


def test_export_to_standard_output_accepts_the_json_suffix():
    run("import_guidelines", str(project_path("orchestration.2024.01")))

    out, _ = run("export_guideline", "orchestration.2024.01.json")

    assert json.loads(out) == json.loads(project_path("orchestration.2024.01").read_bytes())
    assert out.endswith("}\n")


def test_export_of_an_unknown_guideline_fails():
    with pytest.raises(CommandError, match="no guideline named '2099.01'"):
        run("export_guideline", "2099.01")


def test_start_draft_names_an_add_on_draft_after_its_add_on():
    run("import_guidelines", str(project_path("orchestration.2024.01")))

    out, _ = run("start_draft", "--from", "orchestration.2024.01")

    draft = Guideline.objects.get(key="orchestration.next")
    assert "started draft orchestration.next from orchestration.2024.01" in out
    assert (draft.status, draft.replaces, draft.doc_id) == (
        "draft",
        "orchestration.2024.01",
        "orchestration.next",
    )
    assert Capability.objects.filter(guideline=draft).count() == 3


def test_start_draft_refuses_a_taken_name_and_an_unknown_source():
    run("import_guidelines", str(project_path("2024.01")), str(project_path("next")))

    with pytest.raises(CommandError, match="guideline next already exists"):
        run("start_draft", "--from", "2024.01")
    with pytest.raises(CommandError, match="no guideline named '2099.01'"):
        run("start_draft", "--from", "2099.01", "--name", "x")
    assert Guideline.objects.count() == 2


def test_load_demo_loads_the_project_demo_and_is_idempotent():
    run("load_demo")
    run("load_demo")

    assert set(Guideline.objects.values_list("key", flat=True)) == {"2026.06", "dns.2026.06"}


def test_load_demo_leaves_a_demo_flagged_since_as_it_is(chair):
    """A published demo takes flags (2017A D2.1); make run must still start after one."""
    from guidelines.models import Test
    from guidelines.services import flag_set

    run("load_demo")
    test = Test.objects.filter(capability__guideline__key="2026.06").first()
    flag_set(test=test, actor=chair, date="2026-07-01", reason="[D404] flaky", action="fix it")

    out, _ = run("load_demo")

    assert "2026.06: already here, left as it is" in out
    assert Test.objects.get(pk=test.pk).is_flagged


@pytest.mark.parametrize(
    "command, words",
    [
        ("import_guidelines", "Re-importing a file changes nothing"),
        ("export_guideline", "--output"),
        ("start_draft", "--from"),
        ("load_demo", "demo"),
    ],
)
def test_every_command_explains_itself(command, words):
    result = subprocess.run(
        [sys.executable, "manage.py", command, "--help"],
        cwd=REPO,
        capture_output=True,
        text=True,
        env={**os.environ, "DATABASE_URL": ""},
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert words in " ".join(result.stdout.split())
