"""Guidelines in ``/admin/``: for operators to look at, never to change.

A guideline changes only through its services, which check the seat of whoever
acts, the process rules (a published guideline changes only by flags, 2017A
D2.1) and record the change. The admin's generic forms would bypass all three,
so here every guideline model is read-only, operators' model permissions
notwithstanding. Seats are managed under Committee.
"""

from django.contrib import admin

from guidelines.models import Guideline, GuidelineEvent, RuleOverride


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Guideline)
class GuidelineAdmin(ReadOnlyAdmin):
    list_display = ["key", "status", "schema", "revision", "updated_at"]
    list_filter = ["status", "schema"]
    search_fields = ["key"]
    fields = ["key", "status", "schema", "doc_id", "replaces", "revision", "updated_at"]


@admin.register(GuidelineEvent)
class GuidelineEventAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "guideline", "kind", "channel", "actor", "summary"]
    list_filter = ["kind", "channel"]
    search_fields = ["guideline__key", "subject", "summary"]
    list_select_related = ["guideline", "actor"]


@admin.register(RuleOverride)
class RuleOverrideAdmin(ReadOnlyAdmin):
    list_display = ["guideline", "rule", "subject", "by", "created_at"]
    list_select_related = ["guideline", "by"]
