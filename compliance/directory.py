"""PLACEHOLDER: replaced by the directory's pages."""

from django.http import Http404


def _missing(*args, **kwargs):
    raise Http404("not built yet")


listing = compare = product_page = badge = _missing
