import django_filters

from conversations.models import Conversation
from customers import inbox as journeys
from customers.models import Journey


class ConversationFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=Conversation.Status.choices)
    channel = django_filters.UUIDFilter(field_name="last_inbound_channel_id", label="Last inbound channel")
    label = django_filters.CharFilter(field_name="labels__name", label="Label")
    unassigned = django_filters.BooleanFilter(field_name="assignee", lookup_expr="isnull")
    journey_stage = django_filters.ChoiceFilter(choices=Journey.Stage.choices, method="filter_journey_stage",
                                                label="The customer's journey stage")

    class Meta:
        model = Conversation
        fields = ["status", "assignee", "team", "channel", "customer", "priority", "label", "unassigned",
                  "journey_stage"]

    def filter_journey_stage(self, queryset, name, value):
        return journeys.with_stage(queryset, value)
