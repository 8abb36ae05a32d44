"""PLACEHOLDER: replaced by the vendors' pages."""

from django.http import Http404


def _missing(*args, **kwargs):
    raise Http404("not built yet")


keys = key_delete_view = vendors = vendor = vendor_submit_view = vendor_review_view = _missing
vendor_admin_view = product_create_view = product_manage = version_add_view = _missing
product_visibility_view = _missing
