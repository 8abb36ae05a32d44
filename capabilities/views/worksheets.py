"""A guideline's worksheets: the list, the chair's upload with its report, downloads."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_http_methods, require_safe

from capabilities import pages
from capabilities.forms import WorksheetForm
from capabilities.selectors import worksheet_csv, worksheet_filename, worksheet_text
from capabilities.services import worksheet_import
from capabilities.views.common import WEB, guideline_or_404, refused, status_of
from committee.errors import Refused
from committee.permissions import Action, NotAllowed, require
from guidelines.models import Guideline


@require_http_methods(["GET", "HEAD", "POST"])
def worksheets(request, key):
    """The worksheets of a guideline, and (for the chair) the upload with its report."""
    guideline = guideline_or_404(key)
    viewer = pages.viewer_for(request, guideline)
    report, form, status, error = None, None, 200, ""
    if request.method == "POST":
        try:
            require(request.user, Action.WORKSHEET_IMPORT)
        except NotAllowed as exc:
            return refused(request, guideline, str(exc))
        form = WorksheetForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                report = worksheet_import(
                    guideline=guideline,
                    text=form.cleaned_data["content"],
                    name=form.cleaned_data["name"],
                    actor=request.user,
                    channel=WEB,
                )
            except Refused as exc:
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


@require_safe
def worksheet_download_text(request, key, name):
    worksheet = _worksheet_or_404(guideline_or_404(key), name)
    response = HttpResponse(worksheet_text(worksheet), content_type="text/plain; charset=utf-8")
    # Quoted and encoded by Django: a stored name never breaks the header.
    filename = worksheet_filename(worksheet, csv=False)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


@require_safe
def worksheet_download_csv(request, key, name):
    worksheet = _worksheet_or_404(guideline_or_404(key), name)
    response = HttpResponse(worksheet_csv(worksheet), content_type="text/csv; charset=utf-8")
    filename = worksheet_filename(worksheet, csv=True)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response
