from django.contrib import admin

from .models import AttributeDefinition, CustomerEvent, Erasure, Journey, Order, OrderItem


@admin.register(AttributeDefinition)
class AttributeDefinitionAdmin(admin.ModelAdmin):
    list_display = ["key", "label", "type", "writable_by_agents", "writable_by_api", "writable_by_widget"]
    # Key and type stay as created: stored values were checked against them.
    readonly_fields = ["key", "type", "currency"]

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj else []


class OrderItemInline(admin.TabularInline):
    model = OrderItem
    extra = 0


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = ["number", "store", "status", "total", "currency", "placed_at", "customer"]
    list_filter = ["status", "store"]
    search_fields = ["number", "external_id"]
    raw_id_fields = ["customer"]
    inlines = [OrderItemInline]


@admin.register(CustomerEvent)
class CustomerEventAdmin(admin.ModelAdmin):
    list_display = ["name", "customer", "occurred_at", "received_at", "source"]
    list_filter = ["name", "source"]
    raw_id_fields = ["customer"]

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Journey)
class JourneyAdmin(admin.ModelAdmin):
    list_display = ["customer", "stage", "stage_since", "profile_class", "paid_orders", "revenue", "rfm"]
    list_filter = ["stage", "profile_class"]
    raw_id_fields = ["customer"]

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Erasure)
class ErasureAdmin(admin.ModelAdmin):
    list_display = ["customer_ref", "erased_by", "erased_at"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
