"""What every workspace page shares: lookups that answer 404, URLs, refusals, role checks."""

from __future__ import annotations

from functools import wraps
from urllib.parse import urlencode

from django.http import Http404
from django.shortcuts import render
from django.urls import reverse

from capabilities import pages
from capabilities.models import Capability
from guidelines.models import EventChannel, Guideline
from guidelines.selectors import guideline_get
from guidelines.services import Conflict, GuidelineError, NotAllowed

WEB = EventChannel.WEB


def status_of(error: GuidelineError) -> int:
    if isinstance(error, NotAllowed):
        return 403
    if isinstance(error, Conflict):
        return 409
    return 400


def guideline_or_404(key: str) -> Guideline:
    guideline = guideline_get(key)
    if guideline is None:
        raise Http404(f"No guideline named {key}.")
    return guideline


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


def refusal(viewer: pages.Viewer, *, chair: bool, what: str = "This") -> str:
    who = "the chair" if chair else "committee members"
    if viewer.role:
        return f"{what} is for {who}; you are signed in as a {viewer.role}."
    return f"{what} is for {who}: sign in first."


def _role_required(chair: bool):
    """Refuse early, with a page saying why, before any form is read.

    The services check the same again: this only spares an anonymous visitor
    or a reviewer a form error on something they may not do at all.
    """

    def decorator(view):
        @wraps(view)
        def wrapped(request, key, *args, **kwargs):
            guideline = guideline_or_404(key)
            viewer = pages.viewer_for(request.user, guideline)
            allowed = viewer.is_chair if chair else viewer.is_member
            if not allowed:
                return refused(request, guideline, refusal(viewer, chair=chair))
            return view(request, guideline, viewer, *args, **kwargs)

        return wrapped

    return decorator


member_required = _role_required(chair=False)
chair_required = _role_required(chair=True)
