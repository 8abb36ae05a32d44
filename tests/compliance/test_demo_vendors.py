"""``load_demo_vendors``: the directory of ``make run``, verified on the demo guideline."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from committee.models import Event
from compliance.models import Verification
from compliance.selectors import directory

pytestmark = pytest.mark.django_db


def test_demo_vendors_are_listed_verified_and_loaded_once(demo):
    call_command("load_demo_vendors", verbosity=0)
    call_command("load_demo_vendors", verbosity=0)

    listed = directory()
    assert [row.product.name for row in listed] == ["Example Public Cloud", "Sample OpenStack"]
    assert all(row.verification.guideline.key == "2026.06" for row in listed)
    sample = Verification.objects.get(run__product_version__product__name="Sample OpenStack")
    assert sample.capabilities["compute-keypairs-create"] is False  # advisory, left out
    assert Event.objects.filter(kind="run.verified").count() == 2


def test_demo_vendors_need_the_demo_guideline(system):
    with pytest.raises(CommandError, match="load the demo guidelines first"):
        call_command("load_demo_vendors", verbosity=0)
