"""The signed-in person's standing for the page header, computed once per page."""

from django.utils.functional import SimpleLazyObject

from committee.permissions import standing_in


def standing(request):
    return {"standing": SimpleLazyObject(lambda: str(standing_in(request)))}
