"""What the cycle services refuse bad input with: a ``GuidelineError`` (400 on the
pages and the API, ``guidelines.errors.REFUSALS``) that also says which field."""

from __future__ import annotations

from guidelines.errors import GuidelineError


class CycleInputError(GuidelineError):
    """Bad input to a cycle service; ``problems`` maps each field to what is wrong with it,
    so that a form can show each message beside its field."""

    def __init__(self, problems: dict[str, str]):
        self.problems = dict(problems)
        super().__init__("; ".join(f"{field}: {message}" for field, message in problems.items()))
