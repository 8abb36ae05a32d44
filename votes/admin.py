from django.contrib import admin

from votes.models import Membership


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    """Operators appoint committee members and chairs here."""

    list_display = ["user", "role", "affiliation", "valid_from", "valid_to"]
    list_filter = ["role"]
    search_fields = ["user__username", "affiliation"]
