"""The guideline pages. Views only fetch and render; reads live in guidelines.pages."""

from django.http import Http404
from django.shortcuts import redirect, render

from guidelines import pages
from guidelines.selectors import guideline_get


def _guideline_or_404(key):
    guideline = guideline_get(key)
    if guideline is None:
        raise Http404(f"No guideline named {key}.")
    return guideline


def guideline_list(request):
    return render(request, "guidelines/list.html", {"groups": pages.guideline_groups()})


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
