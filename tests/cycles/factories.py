"""factory_boy factories of the cycle calendar (rows as stored, past the services)."""

from datetime import date

import factory

from cycles.models import Cycle
from tests.factories import UserFactory


class CycleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cycle

    name = "2026.06"
    summit = date(2026, 3, 10)
    guideline_key = "next"
    set_by = factory.SubFactory(UserFactory, username="chair")
