import secrets

from django.contrib import admin
from django.utils import timezone

from committee import webhooks
from committee.models import Delivery, DeliveryStatus, Seat, Webhook


@admin.register(Seat)
class SeatAdmin(admin.ModelAdmin):
    """Operators seat committee members and chairs here (Django's model permissions)."""

    list_display = ["user", "role", "affiliation", "valid_from", "valid_to"]
    list_filter = ["role"]
    search_fields = ["user__username", "affiliation"]


@admin.register(Webhook)
class WebhookAdmin(admin.ModelAdmin):
    """Operators subscribe endpoints to the committee's events (committee.webhooks)."""

    list_display = ["url", "kinds", "active", "created_by", "created_at"]
    list_filter = ["active"]
    search_fields = ["url", "kinds"]
    fields = ["url", "secret", "kinds", "active", "created_by", "created_at"]
    readonly_fields = ["created_by", "created_at"]

    def get_changeform_initial_data(self, request):
        # A fresh random secret to hand to the subscriber; the operator may replace it.
        return {"secret": secrets.token_urlsafe(32), "kinds": "ballot."}

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    """Every delivery and each of its attempts; read-only (chairs may be given the
    view permission). "Retry now" makes a failed delivery pending again."""

    list_display = [
        "pk",
        "event",
        "webhook",
        "status",
        "attempts",
        "response_code",
        "next_attempt_at",
        "delivered_at",
    ]
    list_filter = ["status", "webhook"]
    search_fields = ["event__kind", "webhook__url", "error"]
    list_select_related = ["event", "event__actor", "webhook"]
    actions = ["retry_now"]

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in Delivery._meta.fields]

    def has_add_permission(self, request):
        return False

    @admin.action(description="Retry the selected deliveries now", permissions=["change"])
    def retry_now(self, request, queryset):
        ids = list(queryset.exclude(status=DeliveryStatus.DELIVERED).values_list("pk", flat=True))
        Delivery.objects.filter(pk__in=ids).update(
            status=DeliveryStatus.PENDING, next_attempt_at=timezone.now()
        )
        webhooks.queue(ids)
        self.message_user(request, f"{len(ids)} deliveries queued again.")
