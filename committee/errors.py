"""The base of every refusal a service raises, in any app.

Views and commands catch ``Refused`` and show its message: it says what was
refused and why (``committee.permissions.NotAllowed``: the actor's seat;
``guidelines.errors.GuidelineError`` and its kinds: the guideline and its rules).
"""


class Refused(Exception):
    """A service refused to act; the message says why and, where it can, what to do."""
