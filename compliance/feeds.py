"""The public Atom feed of the directory: ``/feeds/verifications.atom``.

The latest verifications of listed products, newest first: a product appears
here once it is public and its vendor official, as in the directory itself.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.feedgenerator import Atom1Feed
from django.views.decorators.http import require_safe

from compliance.models import Verification
from compliance.selectors import listed_products

LIMIT = 50


class VerificationsFeed(Feed):
    feed_type = Atom1Feed
    title = "DefCore Site: verified products"
    subtitle = "Products in the directory the foundation's staff verified, newest first."

    @method_decorator(require_safe)
    def __call__(self, request, *args, **kwargs):
        return super().__call__(request, *args, **kwargs)

    def link(self):
        return reverse("compliance:directory")

    def feed_url(self):
        return reverse("compliance:feed-verifications")

    def items(self):
        return (
            Verification.objects.filter(run__product_version__product__in=listed_products())
            .select_related("guideline", "run__product_version__product__vendor")
            .order_by("-verified_at", "-pk")[:LIMIT]
        )

    def item_title(self, item: Verification):
        product = item.run.product_version.product
        return f"{product.vendor.name} {product.name}: {item.target} {item.guideline.key} verified"

    def item_description(self, item: Verification):
        version = item.run.product_version
        passed = sum(1 for ok in item.capabilities.values() if ok)
        return (
            f"{version.product} {version.version} complies with {item.guideline.key} for the "
            f"{item.target} target: {passed} of {len(item.capabilities)} capabilities passed "
            f"in test run {item.run_id}."
        )

    def item_link(self, item: Verification):
        product = item.run.product_version.product
        return reverse("compliance:product", args=[product.vendor.slug, product.slug])

    def item_guid(self, item: Verification):
        return f"{settings.SITE_URL}/feeds/verifications/{item.pk}"

    item_guid_is_permalink = False

    def item_pubdate(self, item: Verification):
        return item.verified_at

    def item_updateddate(self, item: Verification):
        return item.verified_at

    def item_categories(self, item: Verification):
        return [item.guideline.key, item.target]
