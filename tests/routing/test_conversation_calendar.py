"""Which business calendar a conversation is in: its channel's, else its team's, else its SLA policy's."""
import pytest

from conversations.models import Channel, Conversation
from routing.models import BusinessCalendar
from routing.schedules import conversation_calendar_id

pytestmark = pytest.mark.django_db


def test_the_most_specific_calendar_wins(clock, chat, write, team, auto_assign, make_policy, lisbon_hours):
    conversation = write(chat)
    assert conversation_calendar_id(conversation) is None  # none anywhere: always open
    support = BusinessCalendar.objects.create(name="SLA hours", time_zone="UTC", weekly_hours={})
    make_policy(calendar=support, first_response=30)
    assert conversation_calendar_id(Conversation.objects.get()) == support.pk
    auto_assign(mode="off", calendar=lisbon_hours)
    assert conversation_calendar_id(Conversation.objects.get()) == lisbon_hours.pk
    store = BusinessCalendar.objects.create(name="Store", time_zone="America/Sao_Paulo", weekly_hours={})
    widget = Channel(kind="webchat", name="Site", team=team)
    widget.config = {"business_calendar": store.pk}
    widget.save()
    Conversation.objects.update(last_inbound_channel=widget)
    assert conversation_calendar_id(Conversation.objects.select_related("last_inbound_channel").get()) == store.pk
    store.delete()
    assert conversation_calendar_id(Conversation.objects.select_related("last_inbound_channel").get()) \
        == lisbon_hours.pk
