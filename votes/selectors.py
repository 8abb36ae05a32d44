"""Who may do what: derived from current committee membership."""

from votes.models import Membership, Role


def is_member(user) -> bool:
    """A committee member or chair: may edit drafts and score."""
    return (
        bool(user and user.is_authenticated)
        and Membership.objects.current().filter(user=user).exists()
    )


def is_chair(user) -> bool:
    """A chair: may also set consensus scores and override findings (2017A A7.2)."""
    return (
        bool(user and user.is_authenticated)
        and Membership.objects.current().filter(user=user, role=Role.CHAIR).exists()
    )
