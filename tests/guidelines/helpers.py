"""Helpers shared by the guideline tests."""

import copy
import json

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
