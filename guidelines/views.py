"""The guideline pages. Views only fetch and render; reads live in guidelines.pages."""

from django.http import Http404
from django.shortcuts import render

from guidelines import pages
from guidelines.selectors import guideline_get


def guideline_list(request):
    return render(request, "guidelines/list.html", {"groups": pages.guideline_groups()})


def guideline_detail(request, key):
    guideline = guideline_get(key)
    if guideline is None:
        raise Http404(f"No guideline named {key}.")
    return render(request, "guidelines/detail.html", {"page": pages.guideline_page(guideline)})
