from django.contrib import admin

from committee.models import Seat


@admin.register(Seat)
class SeatAdmin(admin.ModelAdmin):
    """Operators seat committee members and chairs here (Django's model permissions)."""

    list_display = ["user", "role", "affiliation", "valid_from", "valid_to"]
    list_filter = ["role"]
    search_fields = ["user__username", "affiliation"]
