"""Who is looking at a workspace page, and which controls the page offers them.

The services decide (``committee.permissions`` for the seat, the guideline's
life cycle for its status); this asks the same two tables only so as not to
offer a control the service would refuse.
"""

from __future__ import annotations

from dataclasses import dataclass

from committee.permissions import Action, Standing, may, standing_in
from guidelines.lifecycle import Change, allows
from guidelines.models import Guideline


@dataclass(frozen=True)
class Viewer:
    username: str
    standing: Standing
    status: str  # the guideline's

    @property
    def role(self) -> str:
        """ "chair", "member", "reviewer" (signed in, no seat) or "" (anonymous)."""
        return "" if self.standing == Standing.ANONYMOUS else str(self.standing)

    @property
    def is_member(self) -> bool:
        return self.standing in {Standing.MEMBER, Standing.CHAIR}

    @property
    def is_chair(self) -> bool:
        return self.standing == Standing.CHAIR

    def can(self, action: Action, change: Change) -> bool:
        return may(None, action, standing=self.standing) and allows(self.status, change)

    @property
    def can_propose(self) -> bool:
        return self.can(Action.CAPABILITY_PROPOSE, Change.CONTENT)

    @property
    def can_edit(self) -> bool:
        return self.can(Action.CAPABILITY_EDIT, Change.CONTENT)

    @property
    def can_score(self) -> bool:
        return self.can(Action.SCORE, Change.SCORING)

    @property
    def can_decide(self) -> bool:
        return self.can(Action.CONSENSUS_SET, Change.SCORING)

    @property
    def can_flag(self) -> bool:
        return self.can(Action.TEST_FLAG, Change.FLAG)

    @property
    def can_unflag(self) -> bool:
        return self.can(Action.TEST_UNFLAG, Change.UNFLAG)

    @property
    def can_override(self) -> bool:
        return self.can(Action.FINDING_OVERRIDE, Change.OVERRIDE)

    @property
    def can_import(self) -> bool:
        return self.can(Action.WORKSHEET_IMPORT, Change.SCORING)


def viewer_for(request, guideline: Guideline) -> Viewer:
    """Who is looking at ``guideline``'s pages in this request."""
    user = request.user
    username = user.get_username() if user.is_authenticated else ""
    return Viewer(username, standing_in(request), guideline.status)
