"""What every workspace page shares: lookups that answer 404, URLs, refusals, seat checks."""

from __future__ import annotations

from functools import wraps
from urllib.parse import urlencode

from django.http import Http404
from django.shortcuts import render
from django.urls import reverse

from capabilities import pages
from committee.permissions import Action, NotAllowed, require
from guidelines.errors import status_of
from guidelines.models import Capability, EventChannel, Guideline
from guidelines.views import guideline_or_404

WEB = EventChannel.WEB

__all__ = [
    "WEB",
    "action_required",
    "capability_or_404",
    "capability_url",
    "guideline_or_404",
    "refused",
    "status_of",
    "workspace_url",
]


def capability_or_404(guideline: Guideline, key: str) -> Capability:
    capability = guideline.capabilities.filter(key=key).first()
    if capability is None:
        raise Http404(f"{guideline.key} has no capability named {key}.")
    return capability


def workspace_url(guideline: Guideline, anchor: str = "", **query) -> str:
    url = reverse("capabilities:workspace", args=[guideline.key])
    if query:
        url += "?" + urlencode(query)
    return url + (f"#{anchor}" if anchor else "")


def capability_url(guideline: Guideline, key: str, anchor: str = "") -> str:
    url = reverse("capabilities:capability", args=[guideline.key, key])
    return url + (f"#{anchor}" if anchor else "")


def refused(request, guideline: Guideline, message: str):
    return render(
        request,
        "capabilities/refused.html",
        {"guideline": guideline, "message": message},
        status=403,
    )


def action_required(action: Action):
    """Refuse early, with a page saying why, before any form is read.

    The services check the same again (``committee.permissions.require``): this
    only spares an anonymous visitor or a reviewer a form error on something
    they may not do at all.
    """

    def decorator(view):
        @wraps(view)
        def wrapped(request, key, *args, **kwargs):
            guideline = guideline_or_404(key)
            try:
                require(request.user, action)
            except NotAllowed as exc:
                return refused(request, guideline, str(exc))
            viewer = pages.viewer_for(request, guideline)
            return view(request, guideline, viewer, *args, **kwargs)

        return wrapped

    return decorator
