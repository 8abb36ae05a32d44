"""Helpers shared by the guideline tests."""

import copy
import json
from pathlib import Path

from committee.system import system_actor
from guidelines.selectors import guideline_document
from guidelines.services import guideline_import


def import_doc(doc, key, **kwargs):
    """Import as an operator's command does, unless ``actor`` says who."""
    raw = doc if isinstance(doc, bytes) else json.dumps(doc).encode()
    kwargs.setdefault("actor", system_actor())
    return guideline_import(raw=raw, key=key, filename=f"{key}.json", **kwargs)


def import_file(path, key=None, **kwargs):
    key = key or path.name.removesuffix(".json")
    kwargs.setdefault("actor", system_actor())
    return guideline_import(raw=path.read_bytes(), key=key, filename=str(path), **kwargs)


def export(guideline):
    # Through text and back, as tooling receives it.
    return json.loads(json.dumps(guideline_document(guideline)))


def with_draft_metadata(doc: dict, *, name: str, replaces: str) -> dict:
    """The document a draft started from ``doc`` must export: only id, status, replaces differ."""
    expected = copy.deepcopy(doc)
    if "metadata" in expected:
        expected["metadata"]["id"] = name
        approval = expected["metadata"].setdefault("os_trademark_approval", {})
        approval["status"] = "draft"
        approval["replaces"] = replaces
    else:
        expected["id"] = name
        expected["status"] = "draft"
        expected["replaces"] = replaces
    return expected


# The project's own test guidelines (tests/data/guidelines): small documents written
# for these tests, one per schema generation and a chain that breaks the process rules
# on purpose. See tests/data/guidelines/README.md.

DATA = Path(__file__).resolve().parents[1] / "data" / "guidelines"

# One document per schema generation.
BY_GENERATION = {
    "1.2": "2021.01",
    "1.3": "2021.06",
    "1.4": "2022.01",
    "1.5": "2022.06",
    "1.6": "2023.01",
    "2.0": "2024.01",
}
# Each replaces the one before it.
CHAIN = ["2021.01", "2021.06", "2022.01", "2022.06", "2023.01", "2023.06", "2024.01"]


def project_path(key: str) -> Path:
    path = DATA / f"{key}.json"
    assert path.is_file(), path
    return path


def project_doc(key: str) -> dict:
    return json.loads(project_path(key).read_bytes())


def import_project(*keys, **kwargs):
    """Import the project's own test guidelines by name; returns the stored guidelines."""
    return [import_file(project_path(key), **kwargs).guideline for key in keys]
