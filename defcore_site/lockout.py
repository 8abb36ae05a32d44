"""The answer to a sign-in while locked out (django-axes): a page, 429, Retry-After."""

from django.conf import settings
from django.shortcuts import render


def locked_out(request, original_response=None, credentials=None):
    seconds = int(settings.AXES_COOLOFF_TIME.total_seconds())
    response = render(
        request,
        "registration/locked_out.html",
        {"failure_limit": settings.AXES_FAILURE_LIMIT, "minutes": max(1, seconds // 60)},
        status=settings.AXES_HTTP_RESPONSE_CODE,
    )
    # The whole cool-off, counted from the last failure: at most this long.
    response["Retry-After"] = str(seconds)
    return response
