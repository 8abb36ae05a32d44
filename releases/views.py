"""The publishing pages: approving a draft, a release with its progress and downloads,
its release notes, and the list of releases."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from committee.errors import Refused
from committee.models import Channel
from committee.permissions import Action, may, standing_in
from guidelines.api.revisions import revisions_of
from guidelines.errors import status_of
from guidelines.renderings.notes import release_notes_html
from guidelines.views import guideline_or_404
from releases.api.releases import bundle_response
from releases.forms import ApprovalForm
from releases.models import Release
from releases.selectors import approval_form, progress, release_get, releases
from releases.services import guideline_approve, retryable, step_retry


def release_or_404(key: str) -> Release:
    release = release_get(key) if "\x00" not in key else None
    if release is None:
        raise Http404(f"There is no release named {key}.")
    return release


@require_safe
def release_list(request):
    return render(request, "releases/list.html", {"releases": releases()})


@require_http_methods(["GET", "HEAD", "POST"])
def guideline_approve_view(request, key):
    draft = guideline_or_404(key)
    allowed = may(request.user, Action.GUIDELINE_APPROVE, standing=standing_in(request))
    context = approval_form(draft)
    form = ApprovalForm(
        request.POST or None,
        ballots=context.ballots,
        initial={"name": context.suggested_name},
    )
    error = "" if allowed else "Approving a guideline is for the chair."
    status = 200 if allowed else 403
    if request.method == "POST" and allowed and form.is_valid():
        try:
            release = guideline_approve(
                draft=draft,
                name=form.cleaned_data["name"],
                ballot=form.cleaned_data["ballot"],
                actor=request.user,
                channel=Channel.WEB,
            )
        except Refused as refusal:
            error, status = str(refusal), status_of(refusal)
        else:
            messages.success(request, f"{release.key} is approved; publishing follows.")
            return redirect("releases:detail", key=release.key)
    elif request.method == "POST" and allowed:
        status = 400
    return render(
        request,
        "releases/approve.html",
        {"approval": context, "form": form, "error": error, "allowed": allowed},
        status=status,
    )


def _release_page(request, release: Release, *, error: str = "", status: int = 200):
    state = progress(release)
    return render(
        request,
        "releases/detail.html",
        {
            "release": release,
            "progress": state,
            "revisions": revisions_of(release.guideline),
            "may_retry": may(request.user, Action.RELEASE_RETRY, standing=standing_in(request)),
            "retryable": {step.name for step in state["steps"] if retryable(step, release)},
            "error": error,
        },
        status=status,
    )


@require_safe
def release_detail(request, key):
    return _release_page(request, release_or_404(key))


@require_POST
def release_step_retry(request, key, step):
    release = release_or_404(key)
    try:
        step_retry(release=release, step=step, actor=request.user, channel=Channel.WEB)
    except Refused as refusal:
        return _release_page(request, release, error=str(refusal), status=status_of(refusal))
    messages.success(request, f"The {step} step of {release.key} runs again.")
    return redirect("releases:detail", key=release.key)


@require_safe
def release_notes(request, key):
    release = release_or_404(key)
    return render(
        request,
        "releases/notes.html",
        {"release": release, "notes": release_notes_html(release.guideline, release.replaces)},
    )


@require_safe
def release_bundle(request, key):
    return bundle_response(release_or_404(key), request)
