"""factory_boy factories for the people of the committee."""

import factory
from django.contrib.auth.models import User

from committee.models import Role, Seat


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("a-long-password-9")


class SeatFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Seat

    user = factory.SubFactory(UserFactory)
    role = Role.MEMBER
    affiliation = "Example Cloud"
