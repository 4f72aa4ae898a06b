"""The web chat's away mode follows a business calendar (holidays included); inline hours keep working."""
from datetime import UTC, date, datetime

import pytest
import time_machine

from channels_adapters.setup import create_channel
from conversations.actions.errors import ActionError
from conversations.models import Channel
from conversations.presence import mark_agent_online
from routing.models import BusinessCalendar, CalendarException

pytestmark = pytest.mark.django_db

SHOP = "https://shop.example"
WEEKDAYS_9_17 = {day: [["09:00", "17:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}


def available(client, channel):
    answer = client.post(f"/webchat/{channel.pk}/session/", {}, content_type="application/json", HTTP_ORIGIN=SHOP)
    assert answer.status_code == 200
    return answer.json()["available"]


@pytest.fixture
def office(db):
    calendar = BusinessCalendar.objects.create(name="São Paulo", time_zone="America/Sao_Paulo",
                                               weekly_hours=WEEKDAYS_9_17)
    CalendarException.objects.create(calendar=calendar, date=date(2026, 11, 20), name="Consciência Negra")
    return calendar


def test_the_widget_follows_its_calendar(client, team, office, admin_user):
    channel = create_channel("webchat", "Site", {"allowed_origins": [SHOP], "business_calendar": office.pk}, team=team)
    with time_machine.travel(datetime(2026, 11, 19, 15, 0, tzinfo=UTC), tick=False):  # Thursday 12:00 local
        mark_agent_online(admin_user.pk, [team.pk])
        assert available(client, channel) is True
    with time_machine.travel(datetime(2026, 11, 20, 15, 0, tzinfo=UTC), tick=False):  # the holiday
        mark_agent_online(admin_user.pk, [team.pk])
        assert available(client, channel) is False
    with time_machine.travel(datetime(2026, 11, 19, 21, 0, tzinfo=UTC), tick=False):  # Thursday 18:00 local
        mark_agent_online(admin_user.pk, [team.pk])
        assert available(client, channel) is False


def test_inline_business_hours_still_work(client, team, admin_user):
    channel = create_channel("webchat", "Site", {"allowed_origins": [SHOP], "business_hours": {
        "timezone": "America/Sao_Paulo", "days": {"thu": [["09:00", "18:00"]]}}}, team=team)
    with time_machine.travel(datetime(2026, 11, 19, 15, 0, tzinfo=UTC), tick=False):
        mark_agent_online(admin_user.pk, [team.pk])
        assert available(client, channel) is True
    with time_machine.travel(datetime(2026, 11, 20, 15, 0, tzinfo=UTC), tick=False):  # a Friday: closed
        mark_agent_online(admin_user.pk, [team.pk])
        assert available(client, channel) is False


@pytest.mark.parametrize("config", [
    {"business_calendar": 999},
    {"business_calendar": "1"},
    {"business_calendar": 1, "business_hours": {"timezone": "UTC", "days": {}}},
])
def test_a_bad_calendar_reference_is_refused(team, office, config):
    config = {key: (office.pk if value == 1 else value) for key, value in config.items()}
    with pytest.raises(ActionError, match="business_calendar"):
        create_channel("webchat", "Site", {"allowed_origins": [SHOP], **config}, team=team)
    assert not Channel.objects.exists()
