"""The drafting and scoring workspace pages.

Views stay thin: a form checks the input's shape, one service (or a few, in
one transaction) makes the change as ``request.user`` through the web
channel, and the page is read through ``capabilities.pages``. A service's
refusal is shown next to the form that caused it, with a status that says
which kind: 403 not allowed, 409 changed meanwhile, 400 anything else.
"""

from __future__ import annotations

from functools import wraps
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from capabilities import pages
from capabilities.forms import (
    CapabilityForm,
    ConsensusForm,
    FlagForm,
    LineageForm,
    MoveForm,
    OverrideForm,
    ProposeForm,
    RenameForm,
    ScoreForm,
    WorksheetForm,
)
from capabilities.models import Capability, Test
from capabilities.selectors import worksheet_csv, worksheet_text
from capabilities.services import (
    capability_move,
    capability_propose,
    capability_rename,
    capability_snapshot,
    capability_update,
    consensus_set,
    finding_override,
    flag_clear,
    flag_set,
    lineage_record,
    score_cast,
    worksheet_import,
)
from guidelines.models import EventChannel, Guideline
from guidelines.selectors import guideline_get
from guidelines.services import Conflict, GuidelineError, NotAllowed

WEB = EventChannel.WEB
LOG_PAGE_SIZE = 50


def status_of(error: GuidelineError) -> int:
    if isinstance(error, NotAllowed):
        return 403
    if isinstance(error, Conflict):
        return 409
    return 400


def _guideline_or_404(key: str) -> Guideline:
    guideline = guideline_get(key)
    if guideline is None:
        raise Http404(f"No guideline named {key}.")
    return guideline


def _capability_or_404(guideline: Guideline, key: str) -> Capability:
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


def _refused(request, guideline: Guideline, message: str):
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
            guideline = _guideline_or_404(key)
            viewer = pages.viewer_for(request.user, guideline)
            allowed = viewer.is_chair if chair else viewer.is_member
            if not allowed:
                return _refused(request, guideline, refusal(viewer, chair=chair))
            return view(request, guideline, viewer, *args, **kwargs)

        return wrapped

    return decorator


member_required = _role_required(chair=False)
chair_required = _role_required(chair=True)


# The workspace page


def workspace(request, key):
    guideline = _guideline_or_404(key)
    viewer = pages.viewer_for(request.user, guideline)
    return _workspace(request, guideline, viewer)


def _workspace(
    request,
    guideline: Guideline,
    viewer: pages.Viewer,
    *,
    status: int = 200,
    score_form: ScoreForm | None = None,
    consensus_form: ConsensusForm | None = None,
    form_row: str = "",
    form_error: str = "",
    override_form: OverrideForm | None = None,
    override_error: str = "",
):
    page = pages.workspace_page(guideline, viewer)
    # ?score=<capability> (or ?decide=) opens that row's form under it.
    score_key = form_row if score_form else request.GET.get("score", "")
    decide_key = form_row if consensus_form else request.GET.get("decide", "")
    score_row = page.row(score_key) if viewer.can_score else None
    decide_row = page.row(decide_key) if viewer.can_decide else None
    if score_row and score_form is None:
        # Pre-filled with the member's own scores, else with what the table shows.
        shown = score_row.current_values()
        initial = {k: mine or shown[k] for k, mine in score_row.my_values().items()}
        score_form = ScoreForm(columns=page.columns, initial=initial)
    if decide_row and consensus_form is None:
        consensus_form = ConsensusForm(columns=page.columns)
    # A refused score whose form the viewer may no longer see (the draft left
    # draft status meanwhile): the reason goes at the top instead.
    hidden = (score_form is not None and score_row is None) or (
        consensus_form is not None and decide_row is None
    )
    top_error = form_error if hidden else ""
    override_key, override_unmatched = (), ""
    if override_form is not None:
        override_key = (override_form.data.get("rule"), override_form.data.get("subject"))
        if page.finding(*override_key) is None:
            # The finding went away meanwhile (or never was): no form to show it by.
            override_unmatched = override_error or "; ".join(
                message for errors in override_form.errors.values() for message in errors
            )
    return render(
        request,
        "capabilities/workspace.html",
        {
            "page": page,
            "viewer": viewer,
            "score_row": score_row,
            "score_form": score_form if score_row else None,
            "score_cells": _paired(score_form, score_row),
            "decide_row": decide_row,
            "consensus_form": consensus_form if decide_row else None,
            "decide_cells": _paired(consensus_form, decide_row),
            "form_error": form_error,
            "override_form": override_form,
            "override_key": override_key,
            "override_error": override_error,
            "override_unmatched": override_unmatched,
            "top_error": top_error,
            "worksheet_form": WorksheetForm() if viewer.can_import else None,
        },
        status=status,
    )


def _paired(form, row) -> list:
    """(select, table cell) per column: the form's selects go under the row's cells."""
    if form is None or row is None:
        return []
    return list(zip(form.fields_in_order, row.cells, strict=True))


@require_POST
@member_required
def score(request, guideline, viewer, capability_key):
    capability = _capability_or_404(guideline, capability_key)
    columns, rows = pages.scoring_rows(guideline, viewer)
    row = next(r for r in rows if r.key == capability.key)
    form = ScoreForm(request.POST, columns=columns)
    if not form.is_valid():
        return _workspace(request, guideline, viewer, status=400, score_form=form,
                          form_row=capability.key)  # fmt: skip
    mine, shown = row.my_values(), row.current_values()
    # The form starts from the member's own scores, else from what the table
    # shows: what they changed is cast (or, asked for, every value they have
    # not scored as it is, a whole worksheet line); all of it or none.
    whole_line = form.cleaned_data["whole_line"]
    cast = {
        key: value
        for key, value in form.values().items()
        if value != (mine[key] or shown[key]) or (whole_line and mine[key] != value)
    }
    try:
        with transaction.atomic():
            for criterion, value in cast.items():
                score_cast(capability=capability, scorer=request.user, criterion=criterion,
                           value=value, note=form.cleaned_data["note"], channel=WEB)  # fmt: skip
    except GuidelineError as exc:
        return _workspace(request, guideline, viewer, status=status_of(exc), score_form=form,
                          form_row=capability.key, form_error=str(exc))  # fmt: skip
    if cast:
        summary = ", ".join(f"{k} {v}" for k, v in cast.items())
        messages.success(request, f"Saved your scores of {capability.key}: {summary}.")
    else:
        messages.info(request, f"Nothing to save: you changed no score of {capability.key}.")
    return redirect(workspace_url(guideline, f"row-{capability.key}"))


@require_POST
@chair_required
def consensus(request, guideline, viewer, capability_key):
    capability = _capability_or_404(guideline, capability_key)
    columns = pages.ordered_columns(list(guideline.criteria.all()))
    form = ConsensusForm(request.POST, columns=columns)
    if not form.is_valid():
        return _workspace(request, guideline, viewer, status=400, consensus_form=form,
                          form_row=capability.key)  # fmt: skip
    decisions = form.decisions()
    try:
        with transaction.atomic():
            for criterion, value in decisions.items():
                consensus_set(capability=capability, criterion=criterion, value=value,
                              chair=request.user, channel=WEB)  # fmt: skip
    except GuidelineError as exc:
        return _workspace(request, guideline, viewer, status=status_of(exc), consensus_form=form,
                          form_row=capability.key, form_error=str(exc))  # fmt: skip
    summary = ", ".join(f"{k} {v}" for k, v in decisions.items())
    messages.success(request, f"Set the consensus of {capability.key}: {summary}.")
    return redirect(workspace_url(guideline, f"row-{capability.key}"))


@require_POST
@chair_required
def override(request, guideline, viewer):
    form = OverrideForm(request.POST)
    if not form.is_valid():
        return _workspace(request, guideline, viewer, status=400, override_form=form)
    data = form.cleaned_data
    try:
        finding_override(guideline=guideline, rule=data["rule"], subject=data["subject"],
                         justification=data["justification"], chair=request.user,
                         channel=WEB)  # fmt: skip
    except GuidelineError as exc:
        return _workspace(request, guideline, viewer, status=status_of(exc), override_form=form,
                          override_error=str(exc))  # fmt: skip
    messages.success(request, f"Overrode {data['rule']} for {data['subject']}.")
    return redirect(workspace_url(guideline, pages.finding_anchor(data["rule"], data["subject"])))


# Worksheets


def worksheets(request, key):
    """The worksheets of a guideline, and (for the chair) the upload with its report."""
    guideline = _guideline_or_404(key)
    viewer = pages.viewer_for(request.user, guideline)
    report, form, status, error = None, None, 200, ""
    if request.method == "POST":
        if not viewer.is_chair:
            return _refused(
                request, guideline, refusal(viewer, chair=True, what="Importing a worksheet")
            )
        form = WorksheetForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                report = worksheet_import(guideline=guideline, text=form.cleaned_data["content"],
                                          name=form.cleaned_data["name"], actor=request.user,
                                          channel=WEB)  # fmt: skip
            except GuidelineError as exc:
                status, error = status_of(exc), str(exc)
            else:
                form = None
        else:
            status = 400
    if viewer.can_import and form is None:
        form = WorksheetForm()
    return render(
        request,
        "capabilities/worksheets.html",
        {
            "guideline": guideline,
            "viewer": viewer,
            "worksheets": list(guideline.worksheets.order_by("name")),
            "form": form,
            "error": error,
            "report": report,
        },
        status=status,
    )


def _worksheet_or_404(guideline: Guideline, name: str):
    worksheet = guideline.worksheets.filter(name=name).first()
    if worksheet is None:
        raise Http404(f"{guideline.key} has no worksheet named {name}.")
    return worksheet


def worksheet_download_text(request, key, name):
    worksheet = _worksheet_or_404(_guideline_or_404(key), name)
    response = HttpResponse(worksheet_text(worksheet), content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{worksheet.name}"'
    return response


def worksheet_download_csv(request, key, name):
    worksheet = _worksheet_or_404(_guideline_or_404(key), name)
    response = HttpResponse(worksheet_csv(worksheet), content_type="text/csv; charset=utf-8")
    stem = worksheet.name.rsplit(".", 1)[0] if "." in worksheet.name else worksheet.name
    response["Content-Disposition"] = f'attachment; filename="{stem}.csv"'
    return response


# The change log


def change_log(request, key):
    guideline = _guideline_or_404(key)
    paginator = Paginator(pages.guideline_events(guideline), LOG_PAGE_SIZE)
    events = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "capabilities/log.html",
        {
            "guideline": guideline,
            "viewer": pages.viewer_for(request.user, guideline),
            "events": events,
            "items": pages.event_items(events),
        },
    )


# Proposing a capability


def propose(request, key):
    guideline = _guideline_or_404(key)
    viewer = pages.viewer_for(request.user, guideline)
    if not viewer.is_member:
        return _refused(
            request, guideline, refusal(viewer, chair=False, what="Proposing a capability")
        )
    components = pages.component_names(guideline)
    form = ProposeForm(request.POST or None, components=components)
    status, error = 200, ""
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                capability = capability_propose(
                    guideline=guideline, key=data["key"].strip(), component=data["component"],
                    status=data["status"], project=data["project"],
                    description=data["description"], admin=data["admin"], tests=data["tests"],
                    actor=request.user, channel=WEB,
                )  # fmt: skip
            except GuidelineError as exc:
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


def capability(request, key, capability_key):
    guideline = _guideline_or_404(key)
    viewer = pages.viewer_for(request.user, guideline)
    return _capability(request, guideline, viewer, _capability_or_404(guideline, capability_key))


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
            ),  # fmt: skip
        )
        for test in page.tests
    ]
    context = {"page": page, "viewer": viewer, "guideline": guideline, "test_forms": test_forms,
               **forms}  # fmt: skip
    context.update({name: value for name, value in bound.items() if not name.endswith("_form")})
    if not viewer.can_edit:
        # The editing forms are not shown: say why the change was refused at the top.
        errors = ("edit_error", "move_error", "rename_error", "lineage_error")
        context["top_error"] = next((bound[name] for name in errors if bound.get(name)), "")
    return render(request, "capabilities/capability.html", context, status=status)


@require_POST
@member_required
def capability_edit(request, guideline, viewer, capability_key):
    capability = _capability_or_404(guideline, capability_key)
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
        capability_update(capability=capability, expected_version=form.cleaned_data["version"],
                          changes=changes, actor=request.user, channel=WEB)  # fmt: skip
    except Conflict as exc:
        # The form comes back with the values saved meanwhile and their version;
        # what this editor typed is listed beside it, to carry over and save again.
        current = CapabilityForm.initial_from(exc.current)
        yours = [
            (form.fields[name].label, form.cleaned_data[name], current[name])
            for name in CapabilityForm.FIELDS
            if form.cleaned_data.get(name, current[name]) != current[name]
        ]
        return _capability(
            request, guideline, viewer, capability, status=409,
            edit_form=CapabilityForm(initial=current), edit_conflict=str(exc), edit_yours=yours,
        )  # fmt: skip
    except GuidelineError as exc:
        return _capability(request, guideline, viewer, capability, status=status_of(exc),
                           edit_form=form, edit_error=str(exc))  # fmt: skip
    messages.success(request, f"Saved {capability.key}: {', '.join(changes)}.")
    return redirect(capability_url(guideline, capability.key))


@require_POST
@member_required
def capability_move_view(request, guideline, viewer, capability_key):
    capability = _capability_or_404(guideline, capability_key)
    form = MoveForm(request.POST, components=pages.component_names(guideline))
    if not form.is_valid():
        return _capability(request, guideline, viewer, capability, status=400, move_form=form)
    data = form.cleaned_data
    try:
        capability_move(capability=capability, component=data["component"], status=data["status"],
                        expected_version=data["version"], actor=request.user,
                        channel=WEB)  # fmt: skip
    except GuidelineError as exc:
        return _capability(request, guideline, viewer, capability, status=status_of(exc),
                           move_form=form, move_error=str(exc))  # fmt: skip
    messages.success(request, f"{capability.key} is {data['status']} in {data['component']}.")
    return redirect(workspace_url(guideline, f"row-{capability.key}"))


@require_POST
@member_required
def capability_rename_view(request, guideline, viewer, capability_key):
    capability = _capability_or_404(guideline, capability_key)
    form = RenameForm(request.POST)
    if not form.is_valid():
        return _capability(request, guideline, viewer, capability, status=400, rename_form=form)
    try:
        renamed = capability_rename(capability=capability,
                                    new_key=form.cleaned_data["new_key"].strip(),
                                    expected_version=form.cleaned_data["version"],
                                    actor=request.user, channel=WEB)  # fmt: skip
    except GuidelineError as exc:
        return _capability(request, guideline, viewer, capability, status=status_of(exc),
                           rename_form=form, rename_error=str(exc))  # fmt: skip
    messages.success(request, f"Renamed {capability_key} to {renamed.key}; the old name is kept "
                              "as its predecessor.")  # fmt: skip
    return redirect(capability_url(guideline, renamed.key))


@require_POST
@member_required
def capability_lineage_view(request, guideline, viewer, capability_key):
    capability = _capability_or_404(guideline, capability_key)
    form = LineageForm(request.POST)
    if not form.is_valid():
        return _capability(request, guideline, viewer, capability, status=400, lineage_form=form)
    try:
        lineage_record(capability=capability, predecessors=form.cleaned_data["predecessors"],
                       note=form.cleaned_data["note"], actor=request.user,
                       channel=WEB)  # fmt: skip
    except GuidelineError as exc:
        return _capability(request, guideline, viewer, capability, status=status_of(exc),
                           lineage_form=form, lineage_error=str(exc))  # fmt: skip
    messages.success(request, f"Recorded what {capability.key} is made from.")
    return redirect(capability_url(guideline, capability.key, "lineage"))


def _test_or_404(capability: Capability, test_id: int) -> Test:
    test = capability.tests.filter(pk=test_id).first()
    if test is None:
        raise Http404(f"{capability.key} has no test {test_id}.")
    return test


@require_POST
@member_required
def test_flag(request, guideline, viewer, capability_key, test_id):
    capability = _capability_or_404(guideline, capability_key)
    test = _test_or_404(capability, test_id)
    form = FlagForm(request.POST, auto_id=f"id_test{test.pk}_%s")
    if not form.is_valid():
        return _capability(request, guideline, viewer, capability, status=400, flag_form=form,
                           flag_test=test.pk)  # fmt: skip
    data = form.cleaned_data
    try:
        flag_set(test=test, date=data["date"], reason=data["reason"], action=data["action"],
                 actor=request.user, channel=WEB)  # fmt: skip
    except GuidelineError as exc:
        return _capability(request, guideline, viewer, capability, status=status_of(exc),
                           flag_form=form, flag_test=test.pk, flag_error=str(exc))  # fmt: skip
    messages.success(request, f"Flagged {test.name}.")
    return redirect(capability_url(guideline, capability.key, f"test-{test.pk}"))


@require_POST
@member_required
def test_unflag(request, guideline, viewer, capability_key, test_id):
    capability = _capability_or_404(guideline, capability_key)
    test = _test_or_404(capability, test_id)
    try:
        flag_clear(test=test, actor=request.user, channel=WEB)
    except GuidelineError as exc:
        return _capability(request, guideline, viewer, capability, status=status_of(exc),
                           flag_test=test.pk, unflag_error=str(exc))  # fmt: skip
    messages.success(request, f"Removed the flag of {test.name}.")
    return redirect(capability_url(guideline, capability.key, f"test-{test.pk}"))
