"""JSON Schemas of each generation, written for this project, and validation.

The committee's own schema files cannot be used as they are (DOMAIN.md
section 1): 1.5/1.6 reference a misspelled definition and an invalid regex,
2.0's patterns are unanchored, and every file's key patterns (``^\\w+$``)
never match a capability or test name, so nothing below them is checked.
These schemas state what the committee's documents say, with the patterns
anchored and the rules the committee actually applies (``required_since``
may be "" for a capability that is not required; flag reasons start with a
flag type, ``[D404]`` per HACKING D309 or the older ``D404``).

Unknown keys and wrong types are reported by the reader, with a suggestion;
validation adds what a schema says best: missing keys, patterns, enums.
"""

from __future__ import annotations

from functools import cache

import fastjsonschema
from jsonschema import Draft202012Validator

from guidelines.models import CapabilityStatus, SectionStatus

from .fields import pointer_join
from .patterns import DATE as DATE_PATTERN

GUIDELINE_NAME = r"^([a-z][a-z0-9_-]*\.)?(\d{4}\.(0[1-9]|1[0-2])|(\d{4}\.)?next)$"
APPROVAL_ID = r"^([a-z][a-z0-9_-]*\.)?\d{4}\.(0[1-9]|1[0-2])$"
REQUIRED_SINCE = r"^(\d{4}\.(0[1-9]|1[0-2]))?$"
DATE = DATE_PATTERN.pattern
FLAG_REASON = r"^(\[D4\d\d\]|D4\d\d\b)"
CAPABILITY_STATUSES = list(CapabilityStatus.values)
SECTION_STATUSES = list(SectionStatus.values)

TEXT = {"type": "string"}
NAMES = {"type": "array", "items": TEXT}


def _object(properties: dict, required: list[str] = (), **more) -> dict:
    return {"type": "object", "properties": properties, "required": list(required), **more}


def _keyed(schema: dict) -> dict:
    """An object whose every value follows ``schema`` (capabilities by name, ...)."""
    return {"type": "object", "additionalProperties": schema}


RELEASES = {
    "type": "array",
    "items": {"type": "string", "pattern": "^[a-z0-9.]+$"},
    "minItems": 1,
    "uniqueItems": True,
}
FLAG = _object(
    {
        "date": {"type": "string", "pattern": DATE},
        "reason": {"type": "string", "pattern": FLAG_REASON},
        "action": TEXT,
    },
    ["date", "reason", "action"],
)
TEST = _object(
    {
        "idempotent_id": TEXT,
        "aliases": {**NAMES, "minItems": 1, "uniqueItems": True},
        "flagged": FLAG,
        "flag": FLAG,
    },
    ["idempotent_id"],
)
SECTION = _object(
    {"description": TEXT, "designated": {"type": "boolean"}, "comment": TEXT},
    ["description", "designated"],
)
DESIGNATED = _object(
    {"guidance": TEXT, "comment": TEXT, "sections": _keyed(SECTION)}, ["guidance", "sections"]
)
STATUS_LISTS = _object({status: NAMES for status in CAPABILITY_STATUSES})


def _schema_1x(version: str) -> dict:
    v13 = version >= "1.3"
    capability = _object(
        {
            "achievements": {**NAMES, "uniqueItems": True},
            "admin": {"type": "boolean"},
            "description": TEXT,
            "project": TEXT,
            "required-since": {"type": "string", "pattern": REQUIRED_SINCE},
            "tests": _keyed(TEST) if v13 else NAMES,
        },
        ["achievements", "admin", "description", "project", "tests"],
    )
    properties = {
        "id": {"type": "string", "pattern": GUIDELINE_NAME},
        "schema": {"const": version},
        "reference": TEXT,
        "source": TEXT,
        "status": {"enum": ["draft", "review", "approved", "superseded"]},
        "replaces": TEXT,
        "releases": RELEASES,
        "target_approval": {"type": "string", "pattern": DATE},
        "cutoff_score": {"type": "string", "pattern": r"^\d+$"},
        "platform": STATUS_LISTS,
        "components": _keyed(STATUS_LISTS),
        "capabilities": _keyed(capability),
        "criteria": _keyed(
            _object(
                {"Description": TEXT, "name": TEXT, "weight": {"type": "integer"}},
                ["Description", "name", "weight"],
            )
        ),
        "designated-sections": _object({status: _keyed(DESIGNATED) for status in SECTION_STATUSES}),
        "test-repositories": _keyed(_object({"git-sha": TEXT, "url": TEXT}, ["git-sha", "url"])),
    }
    required = [
        "id",
        "schema",
        "source",
        "status",
        "releases",
        "platform",
        "components",
        "capabilities",
        "criteria",
        "designated-sections",
    ]
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": f"Interop guideline, schema {version}",
        **_object(properties, required),
    }


COMPONENT_REFS = {"type": "array", "items": _object({"name": TEXT, "source": TEXT}, ["name"])}

SCHEMA_2_0 = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "Interop guideline, schema 2.0",
    **_object(
        {
            "metadata": _object(
                {
                    "id": {"type": "string", "pattern": GUIDELINE_NAME},
                    "schema": {"const": "2.0"},
                    "reference": TEXT,
                    "source": TEXT,
                    "scoring": _object(
                        {
                            "cutoff_score": {"type": "integer"},
                            "criteria": _keyed(
                                _object(
                                    {
                                        "name": TEXT,
                                        "description": TEXT,
                                        "weight": {"type": "integer"},
                                    },
                                    ["name", "description", "weight"],
                                )
                            ),
                        }
                    ),
                    "os_trademark_approval": _object(
                        {
                            "target_approval": {"type": "string", "pattern": APPROVAL_ID},
                            "replaces": {"type": "string", "pattern": GUIDELINE_NAME},
                            "releases": RELEASES,
                            "status": {"enum": ["draft", "advisory", "approved", "superseded"]},
                        },
                        ["target_approval", "releases", "status"],
                    ),
                },
                ["id", "schema", "reference", "source"],
            ),
            "platforms": _keyed(
                _object({"description": TEXT, "components": COMPONENT_REFS}, ["components"])
            ),
            "add-ons": _keyed(
                _object(
                    {
                        "description": TEXT,
                        "components": COMPONENT_REFS,
                        "required_platform_components": COMPONENT_REFS,
                        "optional_platform_components": COMPONENT_REFS,
                    },
                    ["components"],
                )
            ),
            "components": _keyed(
                _object(
                    {"capabilities": STATUS_LISTS, "designated_sections": STATUS_LISTS},
                    ["capabilities"],
                )
            ),
            "capabilities": _keyed(
                _object(
                    {
                        "achievements": {**NAMES, "uniqueItems": True},
                        "admin": {"type": "boolean"},
                        "required_since": {"type": "string", "pattern": REQUIRED_SINCE},
                        "description": TEXT,
                        "project": TEXT,
                        "tests": _keyed(TEST),
                    },
                    ["achievements", "admin", "description", "project", "tests"],
                )
            ),
            "designated_sections": _keyed(
                _object({status: DESIGNATED for status in SECTION_STATUSES})
            ),
            "test_repositories": _keyed(
                _object(
                    {"repository": TEXT, "reference": TEXT, "description": TEXT}, ["repository"]
                )
            ),
        },
        ["metadata", "components", "capabilities", "designated_sections", "test_repositories"],
    ),
}

# What validation reports; the reader already reports unknown keys and types.
REPORTED = {"required", "pattern", "enum", "const", "minItems", "uniqueItems"}


def schema_for(version: str) -> dict:
    return SCHEMA_2_0 if version == "2.0" else _schema_1x(version)


@cache
def _validator(version: str) -> Draft202012Validator:
    return Draft202012Validator(schema_for(version))


PATTERN_MEANING = {
    GUIDELINE_NAME: "a guideline name (YYYY.MM, next, or <add-on>.YYYY.MM)",
    APPROVAL_ID: "an approval id (YYYY.MM or <add-on>.YYYY.MM)",
    REQUIRED_SINCE: 'a guideline id (YYYY.MM), or "" when not required',
    DATE: "a date (YYYY-MM-DD)",
    FLAG_REASON: "a flag reason starting with its flag type, e.g. [D404] (HACKING D309)",
    "^[a-z0-9.]+$": "a release name in lower case",
    r"^\d+$": "a whole number written as a string",
}


def schema_violations(document: dict, version: str) -> list[tuple[str, str]]:
    """(JSON pointer, message) for each violation, in document order.

    jsonschema words the violations, but walks a large guideline slowly (4 s
    for 100,000 tests). So each capability is first checked by a validator
    compiled to Python, and only those it refuses are walked by jsonschema;
    the rest of the document is walked whole, its capabilities set aside.
    """
    found = outline_violations(document, version)
    capabilities = document.get("capabilities") if isinstance(document, dict) else None
    if isinstance(capabilities, dict):
        for key, capability in capabilities.items():
            found += capability_violations(key, capability, version)
    return sorted(found)


def outline_violations(document, version: str) -> list[tuple[str, str]]:
    """The violations of the document but for its capabilities (an object of them)."""
    if isinstance(document, dict) and isinstance(document.get("capabilities"), dict):
        document = {**document, "capabilities": {}}
    return list(_violations(_validator(version), document, version))


def capability_violations(key: str, capability, version: str) -> list[tuple[str, str]]:
    """The violations of one capability, ``key`` in the document's capabilities."""
    if _capability_check(version)(capability):
        return []
    return list(
        _violations(_capability_validator(version), capability, version, ("capabilities", key))
    )


def _violations(validator, instance, version: str, base: tuple = ()):
    for error in validator.iter_errors(instance):
        if error.validator not in REPORTED:
            continue
        path = ""
        for part in (*base, *error.absolute_path):
            path = pointer_join(path, str(part))
        if error.validator == "pattern":
            value = repr(error.instance)
            value = value if len(value) <= 60 else value[:57] + "..."
            meaning = PATTERN_MEANING.get(error.validator_value, error.validator_value)
            message = f"{value} is not {meaning}"
        else:
            message = error.message
        yield path, f"{message} (schema {version})"


def _capability_schema(version: str) -> dict:
    return schema_for(version)["properties"]["capabilities"]["additionalProperties"]


@cache
def _capability_validator(version: str) -> Draft202012Validator:
    return Draft202012Validator(_capability_schema(version))


@cache
def _capability_check(version: str):
    """True when a capability has no violation at all. The schemas use only keywords
    that draft 7, fastjsonschema's, reads as 2020-12 does (types, properties,
    required, patterns, enums, const, item counts and uniqueness)."""
    validate = fastjsonschema.compile(_capability_schema(version))

    def passes(capability) -> bool:
        try:
            validate(capability)
        except fastjsonschema.JsonSchemaException:
            return False
        return True

    return passes
