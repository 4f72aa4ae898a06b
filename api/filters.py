import django_filters

from conversations.models import Conversation


class ConversationFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=Conversation.Status.choices)
    channel = django_filters.UUIDFilter(field_name="last_inbound_channel_id", label="Last inbound channel")
    label = django_filters.CharFilter(field_name="labels__name", label="Label")
    unassigned = django_filters.BooleanFilter(field_name="assignee", lookup_expr="isnull")

    class Meta:
        model = Conversation
        fields = ["status", "assignee", "team", "channel", "customer", "priority", "label", "unassigned"]
