"""Who is looking at a workspace page, their role, and what the page offers them."""

from __future__ import annotations

from dataclasses import dataclass

from guidelines.models import Guideline, GuidelineStatus
from guidelines.services import EDITABLE
from votes.selectors import is_chair, is_member

# Who is looking, and what the page offers them. The services decide; this
# only avoids offering a control the service would refuse.


@dataclass(frozen=True)
class Viewer:
    username: str
    role: str  # "chair", "member", "reviewer" (signed in, no seat) or "" (anonymous)
    status: str  # the guideline's

    @property
    def is_member(self) -> bool:
        return self.role in {"chair", "member"}

    @property
    def is_chair(self) -> bool:
        return self.role == "chair"

    @property
    def can_score(self) -> bool:
        """Scores are frozen once the draft leaves draft status (2017A A4.3)."""
        return self.is_member and self.status == GuidelineStatus.DRAFT

    @property
    def can_decide(self) -> bool:
        return self.is_chair and self.status == GuidelineStatus.DRAFT

    @property
    def can_edit(self) -> bool:
        """Published guidelines change only by flags (2017A D2.1)."""
        return self.is_member and self.status in EDITABLE

    @property
    def can_flag(self) -> bool:
        return self.is_member

    @property
    def can_unflag(self) -> bool:
        return self.is_member and self.status in EDITABLE

    @property
    def can_override(self) -> bool:
        return self.is_chair

    @property
    def can_import(self) -> bool:
        return self.is_chair and self.status == GuidelineStatus.DRAFT


def viewer_for(user, guideline: Guideline) -> Viewer:
    if not (user and user.is_authenticated):
        return Viewer("", "", guideline.status)
    role = "chair" if is_chair(user) else "member" if is_member(user) else "reviewer"
    return Viewer(user.get_username(), role, guideline.status)
