import django_filters

from conversations.models import Conversation
from customers import inbox as journeys
from customers.models import Journey
from insights import inbox as moods
from insights.models import SentimentLabel
from routing import inbox as slas


class ConversationFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=Conversation.Status.choices)
    channel = django_filters.UUIDFilter(field_name="last_inbound_channel_id", label="Last inbound channel")
    label = django_filters.CharFilter(field_name="labels__name", label="Label")
    unassigned = django_filters.BooleanFilter(field_name="assignee", lookup_expr="isnull")
    journey_stage = django_filters.ChoiceFilter(choices=Journey.Stage.choices, method="filter_journey_stage",
                                                label="The customer's journey stage")
    sla = django_filters.ChoiceFilter(choices=slas.SLA_STATES, method="filter_sla",
                                      label="SLA state: a clock due soon (inside its warning time) or breached")
    sentiment = django_filters.ChoiceFilter(choices=SentimentLabel.choices, method="filter_sentiment",
                                            label="Mood of the latest scored customer message")

    class Meta:
        model = Conversation
        fields = ["status", "assignee", "team", "channel", "customer", "priority", "label", "unassigned",
                  "journey_stage", "sla", "sentiment"]

    def filter_journey_stage(self, queryset, name, value):
        return journeys.with_stage(queryset, value)

    def filter_sla(self, queryset, name, value):
        return slas.with_sla_state(queryset, value)

    def filter_sentiment(self, queryset, name, value):
        return moods.with_mood(queryset, value)
