"""Capabilities: proposing one, and one capability's page with its forms.

The page shows a capability's scores by scorer, tests and flags, lineage and
history; its forms edit, move, rename, record lineage, and flag or unflag tests.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from capabilities import evidence, pages
from capabilities.forms import (
    CapabilityForm,
    FlagForm,
    LineageForm,
    MoveForm,
    ProposeForm,
    RenameForm,
)
from capabilities.services import (
    capability_move,
    capability_propose,
    capability_rename,
    capability_snapshot,
    capability_update,
    lineage_record,
)
from capabilities.views.common import (
    WEB,
    action_required,
    capability_or_404,
    capability_url,
    guideline_or_404,
    refused,
    status_of,
    workspace_url,
)
from committee.errors import Refused
from committee.permissions import Action, NotAllowed, require
from guidelines.errors import VersionConflict
from guidelines.models import Capability, Test
from guidelines.services import flag_clear, flag_set

# Proposing a capability


@require_http_methods(["GET", "HEAD", "POST"])
def propose(request, key):
    guideline = guideline_or_404(key)
    try:
        require(request.user, Action.CAPABILITY_PROPOSE)
    except NotAllowed as exc:
        return refused(request, guideline, str(exc))
    viewer = pages.viewer_for(request, guideline)
    components = pages.component_names(guideline)
    form = ProposeForm(request.POST or None, components=components)
    status, error = 200, ""
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                capability = capability_propose(
                    guideline=guideline,
                    key=data["key"].strip(),
                    component=data["component"],
                    status=data["status"],
                    project=data["project"],
                    description=data["description"],
                    admin=data["admin"],
                    tests=data["tests"],
                    actor=request.user,
                    channel=WEB,
                )
            except Refused as exc:
                status, error = status_of(exc), str(exc)
            else:
                messages.success(request, f"Proposed {capability.key}.")
                return redirect(workspace_url(guideline, f"row-{capability.key}"))
        else:
            status = 400
    return render(
        request,
        "capabilities/propose.html",
        {"guideline": guideline, "viewer": viewer, "form": form, "error": error},
        status=status,
    )


# One capability: edit, move, rename, regroup, flags


@require_safe
def capability(request, key, capability_key):
    guideline = guideline_or_404(key)
    viewer = pages.viewer_for(request, guideline)
    return _capability(request, guideline, viewer, capability_or_404(guideline, capability_key))


def _capability(request, guideline, viewer, capability, *, status=200, **bound):
    """The capability page; ``bound`` holds the form that failed, with its ``error``."""
    page = pages.capability_page(guideline, capability, viewer)
    snapshot = capability_snapshot(capability)
    forms = {
        "edit_form": CapabilityForm(initial=CapabilityForm.initial_from(snapshot)),
        "move_form": MoveForm(
            components=page.components,
            initial={
                "version": capability.version,
                "component": page.listings[0][0] if page.listings else None,
                "status": page.listings[0][1] if page.listings else None,
            },
        ),
        "rename_form": RenameForm(initial={"version": capability.version}),
        "lineage_form": LineageForm(),
    }
    forms.update({name: form for name, form in bound.items() if name.endswith("_form")})
    failed = bound.get("flag_test")
    test_forms = [
        (
            test,
            bound["flag_form"]
            if test.pk == failed and "flag_form" in bound
            else FlagForm(
                auto_id=f"id_test{test.pk}_%s",
                initial={
                    "date": test.flag_date,
                    "reason": test.flag_reason,
                    "action": test.flag_action,
                },
            ),
        )
        for test in page.tests
    ]
    deployment = evidence.deployment(guideline)
    context = {
        "page": page,
        "viewer": viewer,
        "guideline": guideline,
        "test_forms": test_forms,
        # None without a provider, {} with no verified product; then this capability's.
        "deployment": deployment,
        "deployed": deployment.get(capability.key) if deployment else None,
        **forms,
    }
    context.update({name: value for name, value in bound.items() if not name.endswith("_form")})
    if not viewer.can_edit:
        # The editing forms are not shown: say why the change was refused at the top.
        errors = ("edit_error", "move_error", "rename_error", "lineage_error")
        context["top_error"] = next((bound[name] for name in errors if bound.get(name)), "")
    return render(request, "capabilities/capability.html", context, status=status)


def _refused(request, guideline, viewer, capability, exc: Refused, part: str, form=None, **bound):
    """The capability page again, the refusal shown by the form of ``part`` that caused it."""
    if form is not None:
        bound[f"{part}_form"] = form
    return _capability(
        request,
        guideline,
        viewer,
        capability,
        status=status_of(exc),
        **bound,
        **{f"{part}_error": str(exc)},
    )


@require_POST
@action_required(Action.CAPABILITY_EDIT)
def capability_edit(request, guideline, viewer, capability_key):
    capability = capability_or_404(guideline, capability_key)
    form = CapabilityForm(request.POST)
    if not form.is_valid():
        return _capability(request, guideline, viewer, capability, status=400, edit_form=form)
    changes = form.changes(capability_snapshot(capability))
    if form.errors:
        return _capability(request, guideline, viewer, capability, status=400, edit_form=form)
    if not changes and form.cleaned_data["version"] == capability.version:
        messages.info(request, f"Nothing to save: {capability.key} already has these values.")
        return redirect(capability_url(guideline, capability.key))
    try:
        capability_update(
            capability=capability,
            expected_version=form.cleaned_data["version"],
            changes=changes,
            actor=request.user,
            channel=WEB,
        )
    except VersionConflict as exc:
        # The form comes back with the values saved meanwhile and their version;
        # what this editor typed is listed beside it, to carry over and save again.
        current = CapabilityForm.initial_from(exc.current)
        yours = [
            (form.fields[name].label, form.cleaned_data[name], current[name])
            for name in CapabilityForm.FIELDS
            if form.cleaned_data.get(name, current[name]) != current[name]
        ]
        return _capability(
            request,
            guideline,
            viewer,
            capability,
            status=409,
            edit_form=CapabilityForm(initial=current),
            edit_conflict=str(exc),
            edit_yours=yours,
        )
    except Refused as exc:
        return _refused(request, guideline, viewer, capability, exc, "edit", form)
    messages.success(request, f"Saved {capability.key}: {', '.join(changes)}.")
    return redirect(capability_url(guideline, capability.key))


@require_POST
@action_required(Action.CAPABILITY_EDIT)
def capability_move_view(request, guideline, viewer, capability_key):
    capability = capability_or_404(guideline, capability_key)
    form = MoveForm(request.POST, components=pages.component_names(guideline))
    if not form.is_valid():
        return _capability(request, guideline, viewer, capability, status=400, move_form=form)
    data = form.cleaned_data
    try:
        capability_move(
            capability=capability,
            component=data["component"],
            status=data["status"],
            expected_version=data["version"],
            actor=request.user,
            channel=WEB,
        )
    except Refused as exc:
        return _refused(request, guideline, viewer, capability, exc, "move", form)
    messages.success(request, f"{capability.key} is {data['status']} in {data['component']}.")
    return redirect(workspace_url(guideline, f"row-{capability.key}"))


@require_POST
@action_required(Action.CAPABILITY_EDIT)
def capability_rename_view(request, guideline, viewer, capability_key):
    capability = capability_or_404(guideline, capability_key)
    form = RenameForm(request.POST)
    if not form.is_valid():
        return _capability(request, guideline, viewer, capability, status=400, rename_form=form)
    try:
        renamed = capability_rename(
            capability=capability,
            new_key=form.cleaned_data["new_key"].strip(),
            expected_version=form.cleaned_data["version"],
            actor=request.user,
            channel=WEB,
        )
    except Refused as exc:
        return _refused(request, guideline, viewer, capability, exc, "rename", form)
    messages.success(
        request,
        f"Renamed {capability_key} to {renamed.key}; the old name is kept as its predecessor.",
    )
    return redirect(capability_url(guideline, renamed.key))


@require_POST
@action_required(Action.CAPABILITY_EDIT)
def capability_lineage_view(request, guideline, viewer, capability_key):
    capability = capability_or_404(guideline, capability_key)
    form = LineageForm(request.POST)
    if not form.is_valid():
        return _capability(request, guideline, viewer, capability, status=400, lineage_form=form)
    try:
        lineage_record(
            capability=capability,
            predecessors=form.cleaned_data["predecessors"],
            note=form.cleaned_data["note"],
            actor=request.user,
            channel=WEB,
        )
    except Refused as exc:
        return _refused(request, guideline, viewer, capability, exc, "lineage", form)
    messages.success(request, f"Recorded what {capability.key} is made from.")
    return redirect(capability_url(guideline, capability.key, "lineage"))


def _test_or_404(capability: Capability, test_id: int) -> Test:
    test = capability.tests.filter(pk=test_id).first()
    if test is None:
        raise Http404(f"{capability.key} has no test {test_id}.")
    return test


@require_POST
@action_required(Action.TEST_FLAG)
def test_flag(request, guideline, viewer, capability_key, test_id):
    capability = capability_or_404(guideline, capability_key)
    test = _test_or_404(capability, test_id)
    form = FlagForm(request.POST, auto_id=f"id_test{test.pk}_%s")
    if not form.is_valid():
        return _capability(
            request, guideline, viewer, capability, status=400, flag_form=form, flag_test=test.pk
        )
    data = form.cleaned_data
    try:
        flag_set(
            test=test,
            date=data["date"],
            reason=data["reason"],
            action=data["action"],
            actor=request.user,
            channel=WEB,
        )
    except Refused as exc:
        return _refused(
            request, guideline, viewer, capability, exc, "flag", form, flag_test=test.pk
        )
    messages.success(request, f"Flagged {test.name}.")
    return redirect(capability_url(guideline, capability.key, f"test-{test.pk}"))


@require_POST
@action_required(Action.TEST_UNFLAG)
def test_unflag(request, guideline, viewer, capability_key, test_id):
    capability = capability_or_404(guideline, capability_key)
    test = _test_or_404(capability, test_id)
    try:
        flag_clear(test=test, actor=request.user, channel=WEB)
    except Refused as exc:
        return _refused(request, guideline, viewer, capability, exc, "unflag", flag_test=test.pk)
    messages.success(request, f"Removed the flag of {test.name}.")
    return redirect(capability_url(guideline, capability.key, f"test-{test.pk}"))
