"""Deliberation's models: ballots and positions (``ballots``), review comments
(``comments``)."""

from votes.models.ballots import (
    Ballot,
    BallotKind,
    BallotStatus,
    Position,
    PositionValue,
    Voter,
)
from votes.models.comments import Comment, CommentRevision

__all__ = [
    "Ballot",
    "BallotKind",
    "BallotStatus",
    "Comment",
    "CommentRevision",
    "Position",
    "PositionValue",
    "Voter",
]
