"""The evidence compliance gives the drafting workspace for the "deployed" criterion.

Registered with ``capabilities.evidence`` when the app is ready (``compliance.apps``).
The verified products are those the directory lists with a verification against a
guideline of the same kind as the one drafted (the platform, or the same add-on);
each is judged by its latest such verified run. The run is read again against the
guideline drafted, not the verification's stored outcome: the draft may define new
capabilities, new tests, new flags.

A product is judged only on the capabilities of the components its verified target
covers in the draft (2017A A4.7: "widely deployed" is judged within the component):
a compute cloud says nothing about object storage. A target the draft no longer
has covers nothing.

It costs a fixed number of queries (the verifications, the runs, the guideline's
bundle) and one report per product, whatever the number of capabilities.
"""

from __future__ import annotations

from uuid import UUID

from django.urls import reverse

from capabilities.evidence import DeployedProduct, Evidence
from compliance.models import TestRun, Verification
from compliance.report import report
from compliance.selectors import listed_products
from guidelines.models import EntryKind, Guideline
from guidelines.selectors import guideline_bundle
from guidelines.testlist import targets


def latest_verified(guideline: Guideline) -> dict[UUID, str]:
    """Run id -> target of each listed product's latest verification of ``guideline``'s kind."""
    rows = (
        Verification.objects.filter(run__product_version__product__in=listed_products())
        .order_by("-verified_at", "-pk")
        .values_list("run_id", "run__product_version__product_id", "guideline__key", "target")
    )
    kind = guideline.family
    seen, found = set(), {}
    for run_id, product_id, key, target in rows:
        if product_id in seen or Guideline(key=key).family != kind:
            continue
        seen.add(product_id)
        found[run_id] = target
    return found


def deployment(guideline: Guideline) -> dict[str, Evidence]:
    """Capability key -> the verified products that pass it and those that do not."""
    verified = latest_verified(guideline)
    if not verified:
        return {}
    bundle = guideline_bundle(guideline)
    covered = targets(bundle)
    listed = {
        entry.name
        for _, entries in bundle.components
        for entry in entries
        if entry.kind == EntryKind.CAPABILITY
    }
    passing: dict[str, list[DeployedProduct]] = {key: [] for key in listed}
    failing: dict[str, list[DeployedProduct]] = {key: [] for key in listed}
    runs = TestRun.objects.filter(
        pk__in=[run_id for run_id, target in verified.items() if target in covered]
    ).select_related("product_version__product__vendor")
    by_name = sorted(
        runs,
        key=lambda run: (
            run.product_version.product.vendor.name.lower(),
            run.product_version.product.name.lower(),
        ),
    )
    for run in by_name:
        product = run.product_version.product
        shown = DeployedProduct(
            vendor=product.vendor.name,
            name=product.name,
            url=reverse(
                "compliance:product",
                kwargs={"vendor": product.vendor.slug, "product": product.slug},
            ),
        )
        for result in report(run, bundle, verified[run.pk]).capabilities:
            (passing if result.passed else failing)[result.name].append(shown)
    return {key: Evidence(passing=passing[key], failing=failing[key]) for key in listed}
