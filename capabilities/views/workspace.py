"""The workspace page: the scoring table, its score and consensus forms, finding overrides."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST, require_safe

from capabilities import evidence, pages
from capabilities.forms import ConsensusForm, OverrideForm, ScoreForm, WorksheetForm
from capabilities.services import consensus_set, finding_override, scores_cast, scores_withdraw
from capabilities.views.common import (
    WEB,
    action_required,
    capability_or_404,
    guideline_or_404,
    status_of,
    workspace_url,
)
from committee.errors import Refused
from committee.permissions import Action
from guidelines.models import Guideline


@require_safe
def workspace(request, key):
    guideline = guideline_or_404(key)
    viewer = pages.viewer_for(request, guideline)
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
    # Once for the whole table: None without a provider, {} with no verified product.
    deployment = evidence.deployment(guideline)
    # An error that no form of the page caused (withdrawing scores) goes at the top.
    formless = score_form is None and consensus_form is None
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
    top_error = form_error if hidden or formless else ""
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
            "deployment": deployment,
            "deployed_rows": [
                (row, deployment.get(row.key) if deployment else None) for row in page.rows
            ],
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
@action_required(Action.SCORE)
def score(request, guideline, viewer, capability_key):
    capability = capability_or_404(guideline, capability_key)
    columns, rows = pages.scoring_rows(guideline, viewer)
    row = next(r for r in rows if r.key == capability.key)
    form = ScoreForm(request.POST, columns=columns)
    if not form.is_valid():
        return _workspace(
            request, guideline, viewer, status=400, score_form=form, form_row=capability.key
        )
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
        if cast:
            scores_cast(
                capability=capability,
                actor=request.user,
                values=cast,
                note=form.cleaned_data["note"],
                channel=WEB,
            )
    except Refused as exc:
        return _workspace(
            request,
            guideline,
            viewer,
            status=status_of(exc),
            score_form=form,
            form_row=capability.key,
            form_error=str(exc),
        )
    if cast:
        summary = ", ".join(f"{k} {v}" for k, v in cast.items())
        messages.success(request, f"Saved your scores of {capability.key}: {summary}.")
    else:
        messages.info(request, f"Nothing to save: you changed no score of {capability.key}.")
    return redirect(workspace_url(guideline, f"row-{capability.key}"))


@require_POST
@action_required(Action.SCORE)
def score_withdraw(request, guideline, viewer, capability_key):
    """Withdraw every score the member gave a capability."""
    capability = capability_or_404(guideline, capability_key)
    try:
        withdrawn = scores_withdraw(capability=capability, actor=request.user, channel=WEB)
    except Refused as exc:
        return _workspace(request, guideline, viewer, status=status_of(exc), form_error=str(exc))
    if withdrawn:
        messages.success(
            request, f"Withdrew your scores of {capability.key}: {', '.join(withdrawn)}."
        )
    else:
        messages.info(request, f"You had no score of {capability.key} to withdraw.")
    return redirect(workspace_url(guideline, f"row-{capability.key}"))


@require_POST
@action_required(Action.CONSENSUS_SET)
def consensus(request, guideline, viewer, capability_key):
    capability = capability_or_404(guideline, capability_key)
    columns = pages.ordered_columns(list(guideline.criteria.all()))
    form = ConsensusForm(request.POST, columns=columns)
    if not form.is_valid():
        return _workspace(
            request, guideline, viewer, status=400, consensus_form=form, form_row=capability.key
        )
    decisions = form.decisions()
    try:
        consensus_set(capability=capability, actor=request.user, values=decisions, channel=WEB)
    except Refused as exc:
        return _workspace(
            request,
            guideline,
            viewer,
            status=status_of(exc),
            consensus_form=form,
            form_row=capability.key,
            form_error=str(exc),
        )
    summary = ", ".join(f"{k} {v}" for k, v in decisions.items())
    messages.success(request, f"Set the consensus of {capability.key}: {summary}.")
    return redirect(workspace_url(guideline, f"row-{capability.key}"))


@require_POST
@action_required(Action.FINDING_OVERRIDE)
def override(request, guideline, viewer):
    form = OverrideForm(request.POST)
    if not form.is_valid():
        return _workspace(request, guideline, viewer, status=400, override_form=form)
    data = form.cleaned_data
    try:
        finding_override(
            guideline=guideline,
            rule=data["rule"],
            subject=data["subject"],
            justification=data["justification"],
            actor=request.user,
            channel=WEB,
        )
    except Refused as exc:
        return _workspace(
            request,
            guideline,
            viewer,
            status=status_of(exc),
            override_form=form,
            override_error=str(exc),
        )
    messages.success(request, f"Overrode {data['rule']} for {data['subject']}.")
    return redirect(workspace_url(guideline, pages.finding_anchor(data["rule"], data["subject"])))
