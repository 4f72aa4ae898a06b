from django.contrib import admin, messages

from .actions.directory import announce_access_change
from .actions.inbound_events import requeue
from .models import (
    AgentProfile, Attachment, Channel, Conversation, ConversationEvent, Customer, Identity, Label, Message,
    RawInboundEvent, Team,
)

admin.site.register([Team, Label])


@admin.register(AgentProfile)
class AgentProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "name", "role"]
    filter_horizontal = ["teams"]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # Teams and role decide what the agent's open consoles may see: they update after the commit.
        announce_access_change(form.instance.user)


class IdentityInline(admin.TabularInline):
    model = Identity
    extra = 0


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ["id", "name", "first_seen_at", "last_seen_at"]
    search_fields = ["name", "identities__address"]
    inlines = [IdentityInline]


@admin.register(Channel)
class ChannelAdmin(admin.ModelAdmin):
    # The configuration is never shown here: it holds secrets. Use the API to change it.
    list_display = ["name", "kind", "team", "active", "id"]
    fields = ["name", "kind", "team", "active"]
    readonly_fields = ["kind"]

    def has_add_permission(self, request):
        return False


@admin.register(Conversation)
class ConversationAdmin(admin.ModelAdmin):
    list_display = ["id", "customer", "status", "team", "assignee", "waiting_since"]
    list_filter = ["status", "team"]
    raw_id_fields = ["customer", "last_message", "assignee"]


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ["id", "conversation", "direction", "channel", "status", "created_at"]
    list_filter = ["direction", "status"]
    raw_id_fields = ["conversation", "identity", "author"]


admin.site.register([Attachment, ConversationEvent])


@admin.register(RawInboundEvent)
class RawInboundEventAdmin(admin.ModelAdmin):
    list_display = ["id", "channel", "received_at", "state", "attempts", "last_error"]
    list_filter = ["state", "channel"]
    readonly_fields = [f.name for f in RawInboundEvent._meta.fields]
    actions = ["retry_processing"]

    @admin.action(description="Process the selected events again")
    def retry_processing(self, request, queryset):
        ids = requeue(queryset.values_list("pk", flat=True))
        self.message_user(request, f"{len(ids)} event(s) queued for processing.", messages.SUCCESS)
