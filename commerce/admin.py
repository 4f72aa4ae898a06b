from django.contrib import admin

from .models import Store, StoreDelivery


@admin.register(Store)
class StoreAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "active", "created_at"]
    # The configuration holds secrets: set through the API, never shown here.
    exclude = ["config_encrypted"]
    readonly_fields = ["kind"]


@admin.register(StoreDelivery)
class StoreDeliveryAdmin(admin.ModelAdmin):
    list_display = ["store", "topic", "delivery_id", "state", "attempts", "received_at", "last_error"]
    list_filter = ["state", "store"]
    exclude = ["body", "headers"]

    def has_change_permission(self, request, obj=None):
        return False
