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

pytestmark = pytest.mark.django_db


def run(*args):
    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_import_folders_takes_every_json_file_below_them(interop_data):
    out, _ = run(
        "import_guidelines", str(interop_data / "guidelines"), str(interop_data / "add-ons")
    )

    assert set(Guideline.objects.values_list("key", flat=True)) == {
        "2015.03",
        "2015.07",
        "2016.08",
        "2018.02",
        "2020.06",
        "next",
        "orchestration.2020.06",
        "orchestration.next",
    }
    assert "created 2020.06 (schema 2.0, approved): 79 capabilities, 289 tests, 11 flagged" in out
    assert "8 created, 0 replaced, 0 unchanged, 0 failed" in out


def test_import_reports_a_bad_file_by_name_and_place_and_keeps_going(tmp_path, real_files):
    (tmp_path / "2020.06.json").write_bytes(real_files["2020.06"].read_bytes())
    (tmp_path / "broken.json").write_text('{"schema": "1.2",\n  "id": "x",,\n}')

    with pytest.raises(CommandError, match="1 of 2 files failed"):
        run("import_guidelines", str(tmp_path))
    # The good file is in, the bad one left nothing.
    assert list(Guideline.objects.values_list("key", flat=True)) == ["2020.06"]


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


def test_reimport_reports_unchanged(real_files):
    run("import_guidelines", str(real_files["2015.03"]))
    out, _ = run("import_guidelines", str(real_files["2015.03"]))

    assert "unchanged 2015.03" in out
    assert "0 created, 0 replaced, 1 unchanged, 0 failed" in out


def test_export_writes_the_document_to_a_file(tmp_path, real_files):
    run("import_guidelines", str(real_files["2015.07"]))
    target = tmp_path / "out.json"

    run("export_guideline", "2015.07", "--output", str(target))

    assert json.loads(target.read_text()) == json.loads(real_files["2015.07"].read_bytes())


def test_export_to_standard_output_accepts_the_json_suffix(real_files):
    run("import_guidelines", str(real_files["orchestration.next"]))

    out, _ = run("export_guideline", "orchestration.next.json")

    assert json.loads(out) == json.loads(real_files["orchestration.next"].read_bytes())
    assert out.endswith("}\n")


def test_export_of_an_unknown_guideline_fails():
    with pytest.raises(CommandError, match="no guideline named '2099.01'"):
        run("export_guideline", "2099.01")


def test_start_draft_names_an_add_on_draft_after_its_add_on(real_files):
    run("import_guidelines", str(real_files["orchestration.2020.06"]))

    out, _ = run("start_draft", "--from", "orchestration.2020.06")

    draft = Guideline.objects.get(key="orchestration.next")
    assert "started draft orchestration.next from orchestration.2020.06" in out
    assert (draft.status, draft.replaces, draft.doc_id) == (
        "draft",
        "orchestration.2020.06",
        "orchestration.next",
    )
    assert Capability.objects.filter(guideline=draft).count() == 23


def test_start_draft_refuses_a_taken_name_and_an_unknown_source(real_files):
    run("import_guidelines", str(real_files["2020.06"]), str(real_files["next"]))

    with pytest.raises(CommandError, match="guideline next already exists"):
        run("start_draft", "--from", "2020.06")
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
