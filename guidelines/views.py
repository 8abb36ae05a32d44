"""The guideline pages. Views only fetch and render; reads live in guidelines.pages."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from guidelines import pages
from guidelines.models import EventChannel
from guidelines.selectors import approved_families, guideline_get, guideline_latest_approved
from guidelines.services import GuidelineError, NotAllowed, guideline_start_draft
from votes.selectors import is_member


def _guideline_or_404(key):
    guideline = guideline_get(key)
    if guideline is None:
        raise Http404(f"No guideline named {key}.")
    return guideline


def guideline_list(request):
    return render(
        request,
        "guidelines/list.html",
        {
            "groups": pages.guideline_groups(),
            "draft_kinds": approved_families() if is_member(request.user) else [],
        },
    )


@require_POST
def draft_start(request):
    """Start the next draft from the latest approved guideline of a kind (2017A A1.1)."""
    source = guideline_latest_approved(request.POST.get("family", ""))
    if source is None:
        messages.error(request, "There is no approved guideline of that kind to start from.")
        return redirect("guidelines:list")
    try:
        draft = guideline_start_draft(source=source, actor=request.user, channel=EventChannel.WEB)
    except NotAllowed as exc:
        raise PermissionDenied(str(exc)) from exc
    except GuidelineError as exc:
        messages.error(request, str(exc))
        return redirect("guidelines:list")
    messages.success(request, f"Started draft {draft.key} from {source.key}.")
    return redirect("capabilities:workspace", draft.key)


def guideline_detail(request, key):
    guideline = _guideline_or_404(key)
    return render(request, "guidelines/detail.html", {"page": pages.guideline_page(guideline)})


def guideline_compare(request, key):
    """The detail page's "Compare with" form: on to the diff, the older guideline first."""
    old, new = pages.compare_order(
        _guideline_or_404(key), _guideline_or_404(request.GET.get("with", ""))
    )
    return redirect("guidelines:diff", old.key, new.key)


def guideline_diff(request, a, b):
    old, new = _guideline_or_404(a), _guideline_or_404(b)
    return render(request, "guidelines/diff.html", {"page": pages.diff_page(old, new)})
