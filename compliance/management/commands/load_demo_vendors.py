"""Demo vendors, products and verified runs, so that ``make run`` shows a directory.

Made for the demo guideline 2026.06 (``load_demo`` first): two official vendors,
each with a listed product whose run passes 2026.06 and is verified, one of them
without an advisory capability, so that the comparison has something to show.
Loading them again changes nothing.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from committee.system import system_actor
from compliance.models import Product, ProductKind, ProductVersion, TestRun, Vendor, VendorStatus
from compliance.services import run_verify
from compliance.upload import bare_uuid
from guidelines.models import CapabilityStatus, Guideline
from guidelines.selectors import guideline_bundle

GUIDELINE = "2026.06"
DEMO = [
    # vendor, product, kind, version, cpid, capabilities left out of its run
    ("Example Cloud Inc", "Example Public Cloud", ProductKind.PUBLIC_CLOUD, "2026.1", "demo-1", []),
    (
        "Sample Distro Ltd",
        "Sample OpenStack",
        ProductKind.DISTRIBUTION,
        "9.0",
        "demo-2",
        ["compute-keypairs-create"],
    ),
]


class Command(BaseCommand):
    help = "Load demo vendors and products with verified runs of the demo guideline 2026.06."

    @transaction.atomic
    def handle(self, *args, **options):
        guideline = Guideline.objects.filter(key=GUIDELINE).first()
        if guideline is None:
            raise CommandError(
                f"load the demo guidelines first (manage.py load_demo): no {GUIDELINE}"
            )
        bundle = guideline_bundle(guideline)
        tests = {
            capability.key: [
                [test.name, bare_uuid(test.idempotent_id or "") or ""]
                for test in found
                if not test.is_flagged
            ]
            for capability, found in bundle.capabilities
        }
        required_or_advisory = {
            entry.name
            for _, entries in bundle.components
            for entry in entries
            if entry.status in (CapabilityStatus.REQUIRED, CapabilityStatus.ADVISORY)
        }
        system = system_actor()
        for vendor_name, product_name, kind, version, cpid, left_out in DEMO:
            if Vendor.objects.filter(name=vendor_name).exists():
                self.stdout.write(f"{vendor_name}: already here, left as it is")
                continue
            vendor = Vendor.objects.create(
                name=vendor_name,
                slug=vendor_name.lower().replace(" ", "-"),
                status=VendorStatus.OFFICIAL,
                url="https://example.org/",
            )
            product = Product.objects.create(
                vendor=vendor,
                name=product_name,
                slug=product_name.lower().replace(" ", "-"),
                kind=kind,
                public=True,
                description=f"A demo {kind.label.lower()}.",
            )
            release = ProductVersion.objects.create(product=product, version=version, cpid=cpid)
            passed = [
                test
                for key in sorted(required_or_advisory - set(left_out))
                for test in tests.get(key, [])
            ]
            run = TestRun.objects.create(
                cpid=cpid,
                duration_seconds=1800,
                tests=passed,
                test_count=len(passed),
                product_version=release,
            )
            run_verify(actor=system, pk=run.pk, guideline=guideline, target="platform")
            self.stdout.write(f"{vendor_name}: {product_name} {version}, verified on {GUIDELINE}")
