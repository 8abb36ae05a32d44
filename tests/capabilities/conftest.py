"""The project's own data for the drafting and scoring tests (tests/data/capabilities/).

- ``2026.12.json``: an approved guideline written for these tests, the demo
  2026.06's successor. Beside the demo's capabilities it has what a
  workspace must show: ``compute-flavors-list`` scoring exactly the cut-off
  74, ``compute-images-create`` (72) and ``compute-keypairs-create`` (55)
  required under it, and ``networks-routers-create`` required though it
  needs admin rights (the Non-Admin veto). It drops the demo's
  ``images-v1-list`` and renames two tests (same idempotent ids).
- ``scoring.txt`` and ``tabulated_scores.csv``: a worksheet in the
  committee's format scoring the demo's seven capabilities (for the draft
  ``next`` started from the demo) and five candidates it does not define.

Tests of fidelity to the committee's own worksheet and guidelines use the real
files (``interop_data``, ``real_files``) instead.
"""

from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parent.parent / "data" / "capabilities"
SCORED = DATA / "2026.12.json"
SCORED_KEY = "2026.12"
# Capabilities of 2026.12 (and so of a draft started from it).
SCORED_CAPABILITIES = 10
WORKSHEET = DATA / "scoring.txt"
TABULATED = DATA / "tabulated_scores.csv"
# The worksheet against the demo: its seven capabilities matched, five other lines kept.
WORKSHEET_MATCHED = 7
WORKSHEET_KEPT = 5


@pytest.fixture
def scored(system):
    """2026.12 (approved), imported."""
    from tests.guidelines.helpers import import_file

    return import_file(SCORED).guideline


@pytest.fixture
def scored_draft(scored, system):
    """``next``: a draft started from 2026.12."""
    from guidelines.services import guideline_start_draft

    return guideline_start_draft(source=scored, actor=system)


@pytest.fixture
def worksheet_files() -> tuple[str, str]:
    """(scoring.txt, tabulated_scores.csv) as text."""
    return WORKSHEET.read_text(encoding="utf-8"), TABULATED.read_text(encoding="utf-8")
