"""Evidence for the "deployed" criterion: which verified products pass each capability.

The products and their verified runs live in ``compliance``, a higher layer this
app must not import. So it is turned around: ``compliance`` registers a provider
when the apps are ready (``compliance.apps``), and the workspace asks
``deployment(guideline)`` without knowing who answers. With no provider (a site
without compliance, a test that unregisters it) the answer is None and the pages
show nothing about deployment.

A provider returns, for each capability listed in a component of the guideline,
the verified products judged on it (2017A A4.7: "widely deployed" is judged within
the component), split into those whose latest verified run passes its tests as the
guideline defines them, and those whose run does not. An empty dict means that no
product is verified yet. One call answers for every capability at once: a page asks
once, whatever its number of capabilities.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from guidelines.models import Guideline


@dataclass(frozen=True)
class DeployedProduct:
    vendor: str
    name: str
    url: str  # its page in the directory

    def __str__(self) -> str:
        return f"{self.vendor} {self.name}"


@dataclass(frozen=True)
class Evidence:
    passing: list[DeployedProduct] = field(default_factory=list)
    failing: list[DeployedProduct] = field(default_factory=list)

    @property
    def total(self) -> int:
        """The verified products judged on the capability: those that offer its component."""
        return len(self.passing) + len(self.failing)


Provider = Callable[[Guideline], dict[str, Evidence]]

_providers: list[Provider] = []


def register(provider: Provider) -> None:
    """Make ``provider`` the one that answers; registering it again changes nothing."""
    if provider not in _providers:
        _providers.append(provider)


def unregister(provider: Provider) -> None:
    if provider in _providers:
        _providers.remove(provider)


def deployment(guideline: Guideline) -> dict[str, Evidence] | None:
    """Capability key -> its evidence; None when no provider is registered.

    The last provider registered answers (a site has one: compliance's).
    """
    if not _providers:
        return None
    return _providers[-1](guideline)
