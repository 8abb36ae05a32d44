"""The shape of each schema generation (1.2 to 2.0), member by member.

Members are listed in the order the committee's files use, which is the order
a new row is written in. Spellings that a generation accepts besides its own
(``required-since`` in a 2.0 file, ``flag`` for ``flagged``) come after it.
"""

from __future__ import annotations

from dataclasses import dataclass

from guidelines.models import CapabilityStatus, Guideline, SectionStatus

from .fields import (
    BOOL,
    INT,
    INT_AS_TEXT,
    TEXT,
    TEXT_LIST,
    Child,
    Field,
    Nested,
    Quiet,
    Spec,
    spec,
    status_codec,
)

CAPABILITY_STATUSES = tuple(CapabilityStatus.values)
SECTION_STATUSES = tuple(SectionStatus.values)


def status_lists(prefix: str) -> tuple[Child, ...]:
    return tuple(Child(f"{prefix}/{status}", (status,)) for status in CAPABILITY_STATUSES)


FLAG = spec(
    Field("flag_date", TEXT, ("date",)),
    Field("flag_reason", TEXT, ("reason",)),
    Field("flag_action", TEXT, ("action",)),
)

TEST = spec(
    Field("idempotent_id", TEXT, ("idempotent_id",)),
    Field("aliases", TEXT_LIST, ("aliases",)),
    # The 2.0 schema spells it "flag"; the real files, RefStack and
    # checktests.py use "flagged". Both are read; "flagged" is written.
    Nested(("flagged", "flag"), FLAG, present_attr="is_flagged"),
)

SECTION = spec(
    Field("description", TEXT, ("description",)),
    Field("designated", BOOL, ("designated",)),
    Field("comment", TEXT, ("comment",)),
)

DESIGNATED_SECTION = spec(
    Field("guidance", TEXT, ("guidance",)),
    Field("comment", TEXT, ("comment",)),
    Child("sections", ("sections",)),
)


@dataclass(frozen=True)
class Generation:
    version: str
    v2: bool
    guideline: Spec
    criterion: Spec
    capability: Spec
    component: Spec
    platform: Spec
    add_on: Spec | None
    program_component: Spec | None
    test_repository: Spec
    tests_as_list: bool
    # Where the criteria and the designated sections sit in the document.
    criteria_path: str
    sections_path: str

    @property
    def test(self) -> Spec:
        return TEST

    @property
    def flag(self) -> Spec:
        return FLAG

    @property
    def designated_section(self) -> Spec:
        return DESIGNATED_SECTION

    @property
    def section(self) -> Spec:
        return SECTION


def _generation_1x(version: str) -> Generation:
    return Generation(
        version=version,
        v2=False,
        guideline=spec(
            Field("doc_id", TEXT, ("id",)),
            Field("schema", TEXT, ("schema",)),
            Field("reference", TEXT, ("reference",)),
            Field("source", TEXT, ("source",)),
            Field("status", status_codec("review"), ("status",)),
            Field("cutoff_score", INT_AS_TEXT, ("cutoff_score",)),
            Field("target_approval", TEXT, ("target_approval",)),
            Field("replaces", TEXT, ("replaces",)),
            Field("releases", TEXT_LIST, ("releases",)),
            Child("platform", ("platform",)),
            Child("components", ("components",)),
            Child("test_repositories", ("test-repositories",), required=version >= "1.3"),
            Child("capabilities", ("capabilities",)),
            Child("designated_sections", ("designated-sections",)),
            Child("criteria", ("criteria",)),
        ),
        criterion=spec(
            Field("description", TEXT, ("Description", "description")),
            Field("name", TEXT, ("name",)),
            Field("weight", INT, ("weight",)),
        ),
        capability=spec(
            Field("achievements", TEXT_LIST, ("achievements",)),
            Field("admin", BOOL, ("admin",)),
            # 1.2/1.3 fields the schema itself calls deprecated: kept as written.
            Quiet(("status", "guidelines", "flagged", "name")),
            Field("description", TEXT, ("description",)),
            Field("project", TEXT, ("project",)),
            Field("required_since", TEXT, ("required-since", "required_since")),
            Child("tests", ("tests",)),
        ),
        component=spec(*status_lists("capabilities")),
        platform=spec(*status_lists("components")),
        add_on=None,
        program_component=None,
        test_repository=spec(
            Field("reference", TEXT, ("git-sha",)),
            Field("repository", TEXT, ("url",)),
            Field("description", TEXT, ("description",)),
        ),
        tests_as_list=version == "1.2",
        criteria_path="criteria",
        sections_path="designated-sections",
    )


PROGRAM_COMPONENT_2X = spec(
    Field("name", TEXT, ("name",)),
    Field("source", TEXT, ("source",)),
)

GENERATION_2_0 = Generation(
    version="2.0",
    v2=True,
    guideline=spec(
        Nested(
            ("metadata",),
            spec(
                Field("doc_id", TEXT, ("id",)),
                Field("schema", TEXT, ("schema",)),
                Field("reference", TEXT, ("reference",)),
                Field("source", TEXT, ("source",)),
                Nested(
                    ("scoring",),
                    spec(
                        Field("cutoff_score", INT, ("cutoff_score",)),
                        Child("criteria", ("criteria",)),
                    ),
                ),
                Nested(
                    ("os_trademark_approval",),
                    spec(
                        Field("target_approval", TEXT, ("target_approval",)),
                        Field("replaces", TEXT, ("replaces",)),
                        Field("releases", TEXT_LIST, ("releases",)),
                        Field("status", status_codec("advisory"), ("status",)),
                    ),
                ),
            ),
        ),
        Child("platforms", ("platforms",), required=False),
        Child("add_ons", ("add-ons",), required=False),
        Child("components", ("components",)),
        Child("capabilities", ("capabilities",)),
        Child("designated_sections", ("designated_sections",)),
        Child("test_repositories", ("test_repositories",)),
    ),
    criterion=spec(
        Field("description", TEXT, ("description", "Description")),
        Field("name", TEXT, ("name",)),
        Field("weight", INT, ("weight",)),
    ),
    capability=spec(
        Field("achievements", TEXT_LIST, ("achievements",)),
        Field("admin", BOOL, ("admin",)),
        Field("description", TEXT, ("description",)),
        Field("project", TEXT, ("project",)),
        Field("required_since", TEXT, ("required_since", "required-since")),
        Child("tests", ("tests",)),
    ),
    component=spec(
        Nested(("capabilities",), spec(*status_lists("capabilities"))),
        Nested(("designated_sections",), spec(*status_lists("designated_sections"))),
    ),
    platform=spec(
        Field("description", TEXT, ("description",)),
        Child("components", ("components",)),
    ),
    add_on=spec(
        Field("description", TEXT, ("description",)),
        Child("components", ("components",)),
        Child("required_platform_components", ("required_platform_components",)),
        Child("optional_platform_components", ("optional_platform_components",), required=False),
    ),
    program_component=PROGRAM_COMPONENT_2X,
    test_repository=spec(
        Field("repository", TEXT, ("repository",)),
        Field("reference", TEXT, ("reference",)),
        Field("description", TEXT, ("description",)),
    ),
    tests_as_list=False,
    criteria_path="metadata/scoring/criteria",
    sections_path="designated_sections",
)

GENERATIONS: dict[str, Generation] = {
    version: _generation_1x(version) for version in ("1.2", "1.3", "1.4", "1.5", "1.6")
}
GENERATIONS["2.0"] = GENERATION_2_0


def generation_of(guideline: Guideline) -> Generation:
    """The shape of ``guideline``'s own schema generation."""
    return GENERATIONS[guideline.schema]
