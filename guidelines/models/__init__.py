"""The guideline document as rows, and its event log.

``document``: the guideline itself (and what every row of it keeps to export
it exactly); ``parts``: everything inside it, down to tests and their flags;
``log``: the append-only event log and the chair's overrides of findings;
``artifacts``: the bytes a published guideline is served from, per revision.
"""

from guidelines.models.artifacts import Artifact, ArtifactFormat, ArtifactQuerySet
from guidelines.models.document import (
    DocumentPart,
    Guideline,
    GuidelineQuerySet,
    GuidelineStatus,
    SchemaGeneration,
)
from guidelines.models.log import (
    EventChannel,
    EventKind,
    GuidelineEvent,
    GuidelineEventQuerySet,
    RuleOverride,
)
from guidelines.models.parts import (
    Capability,
    CapabilityStatus,
    Component,
    ComponentEntry,
    Criterion,
    DesignatedSection,
    EntryKind,
    Program,
    ProgramComponent,
    ProgramComponentRole,
    ProgramKind,
    Section,
    SectionStatus,
    Test,
    TestRepository,
)

__all__ = [
    "Artifact",
    "ArtifactFormat",
    "ArtifactQuerySet",
    "Capability",
    "CapabilityStatus",
    "Component",
    "ComponentEntry",
    "Criterion",
    "DesignatedSection",
    "DocumentPart",
    "EntryKind",
    "EventChannel",
    "EventKind",
    "Guideline",
    "GuidelineEvent",
    "GuidelineEventQuerySet",
    "GuidelineQuerySet",
    "GuidelineStatus",
    "Program",
    "ProgramComponent",
    "ProgramComponentRole",
    "ProgramKind",
    "RuleOverride",
    "SchemaGeneration",
    "Section",
    "SectionStatus",
    "Test",
    "TestRepository",
]
