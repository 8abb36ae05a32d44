"""Compliance's pages: a run's report, vendors and their products, the public directory."""

from django.urls import path

from compliance import directory, vendor_pages, views
from compliance.feeds import VerificationsFeed

app_name = "compliance"

urlpatterns = [
    # A run: its report, and what its owner and the staff do with it.
    path("results/<uuid:pk>/", views.run_page, name="run"),
    path("results/<uuid:pk>/share/", views.run_share_view, name="run_share"),
    path("results/<uuid:pk>/link/", views.run_link_view, name="run_link"),
    path("results/<uuid:pk>/verify/", views.run_verify_view, name="run_verify"),
    # The public keys that sign uploads.
    path("account/keys/", vendor_pages.keys, name="keys"),
    path("account/keys/<int:pk>/delete/", vendor_pages.key_delete_view, name="key_delete"),
    # Vendors and their products, for their admins and the staff.
    path("vendors/", vendor_pages.vendors, name="vendors"),
    # Not under vendors/<slug>/: a vendor may be called anything.
    path(
        "vendor-invitations/<int:pk>/",
        vendor_pages.invitation_answer_view,
        name="invitation_answer",
    ),
    path("vendors/<slug:slug>/", vendor_pages.vendor, name="vendor"),
    path("vendors/<slug:slug>/submit/", vendor_pages.vendor_submit_view, name="vendor_submit"),
    path("vendors/<slug:slug>/review/", vendor_pages.vendor_review_view, name="vendor_review"),
    path("vendors/<slug:slug>/admins/", vendor_pages.vendor_admin_view, name="vendor_admin_add"),
    path("vendors/<slug:slug>/products/", vendor_pages.product_create_view, name="product_create"),
    path("vendors/<slug:slug>/<slug:product>/", vendor_pages.product_manage, name="product_manage"),
    path(
        "vendors/<slug:slug>/<slug:product>/versions/",
        vendor_pages.version_add_view,
        name="version_add",
    ),
    path(
        "vendors/<slug:slug>/<slug:product>/visibility/",
        vendor_pages.product_visibility_view,
        name="product_visibility",
    ),
    # The public directory: where customers find and compare compliant products.
    path("directory/", directory.listing, name="directory"),
    path("directory/compare/", directory.compare, name="compare"),
    path("directory/<slug:vendor>/<slug:product>/", directory.product_page, name="product"),
    path("directory/<slug:vendor>/<slug:product>/badge.svg", directory.badge, name="badge"),
    path("feeds/verifications.atom", VerificationsFeed(), name="feed-verifications"),
]
