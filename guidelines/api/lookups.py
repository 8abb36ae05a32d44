"""The objects a route names, or a 404 that says which one is missing."""

from __future__ import annotations

from rest_framework.exceptions import NotFound

from guidelines.models import Capability, Guideline, Test


def nameable(value: str) -> bool:
    """Could a stored row have this name? No text column holds NUL (PostgreSQL
    refuses it in a query, a 500), so a name with one names nothing: a 404.
    Paths never get here with one (defcore_site.middleware answers 404 first);
    names in bodies and query strings do."""
    return "\x00" not in value


def guideline_or_404(key: str) -> Guideline:
    guideline = Guideline.objects.filter(key=key).first() if nameable(key) else None
    if guideline is None:
        raise NotFound(f"No guideline named {key!r}.")
    return guideline


def capability_or_404(pk: int) -> Capability:
    capability = Capability.objects.select_related("guideline").filter(pk=pk).first()
    if capability is None:
        raise NotFound(f"No capability with id {pk}.")
    return capability


def test_or_404(pk: int) -> Test:
    test = Test.objects.select_related("capability__guideline").filter(pk=pk).first()
    if test is None:
        raise NotFound(f"No test with id {pk}.")
    return test
