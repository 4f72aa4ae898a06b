"""Read-only views of routing's records; configuration goes through the API, whose actions check it."""
from django.contrib import admin

from .models import AssignmentRecord, QueueEntry, SlaClock, SlaClockEvent


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class SlaClockEventInline(admin.TabularInline):
    model = SlaClockEvent
    extra = 0
    can_delete = False
    readonly_fields = ["kind", "at", "data"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(SlaClock)
class SlaClockAdmin(ReadOnlyAdmin):
    list_display = ["conversation", "metric", "turn", "state", "due_at", "breached_at"]
    list_filter = ["metric", "state"]
    inlines = [SlaClockEventInline]


@admin.register(QueueEntry)
class QueueEntryAdmin(ReadOnlyAdmin):
    list_display = ["conversation", "team", "reason", "priority_rank", "sla_due_at", "enqueued_at"]


@admin.register(AssignmentRecord)
class AssignmentRecordAdmin(ReadOnlyAdmin):
    list_display = ["conversation", "kind", "agent", "reason", "over_capacity", "created_at"]
    list_filter = ["kind", "reason", "over_capacity"]
