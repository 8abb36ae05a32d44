"""A guideline's change log, newest first, a page at a time."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_safe

from capabilities import pages
from capabilities.views.common import guideline_or_404

LOG_PAGE_SIZE = 50


@require_safe
def change_log(request, key):
    guideline = guideline_or_404(key)
    paginator = Paginator(pages.guideline_events(guideline), LOG_PAGE_SIZE)
    events = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "capabilities/log.html",
        {
            "guideline": guideline,
            "viewer": pages.viewer_for(request, guideline),
            "events": events,
            "items": pages.event_items(events),
        },
    )
