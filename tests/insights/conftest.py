from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone as dt_timezone

import pytest
from django.db import connections
from django.utils import timezone

from channels_adapters.setup import create_channel
from channels_adapters.types import InboundMessage, Sender
from conversations.actions.assignment import update_conversation
from conversations.actions.csat import rate_cycle
from conversations.actions.ingest import ingest_message
from conversations.actions.replies import send_reply
from conversations.models import AgentProfile, Conversation
from insights.actions.rollups import refresh_rollups

from ..channels_adapters.providers import twilio_config
from ..console.conftest import browser, sign_in  # noqa: F401  (the console's Playwright fixtures)


@pytest.fixture(autouse=True)
def sentiment_on_arrival(settings):
    settings.INSIGHTS_SENTIMENT_ON_ARRIVAL = True


class Clock:
    def __init__(self):
        self.now = datetime(2026, 1, 1, tzinfo=dt_timezone.utc)

    def set(self, *args):
        self.now = datetime(*args, tzinfo=dt_timezone.utc)

    def __call__(self):
        return self.now


@pytest.fixture
def clock(monkeypatch):
    frozen = Clock()
    monkeypatch.setattr(timezone, "now", frozen)
    return frozen


@pytest.fixture
def business_week(settings):
    settings.INSIGHTS_BUSINESS_SECONDS = "insights.business_time.team_calendar_seconds"
    settings.INSIGHTS_OPENING_HOURS = {"weekdays": [0, 1, 2, 3, 4], "start": "09:00", "end": "18:00",
                                       "time_zone": "UTC"}


def _inbound(channel, external_id, address, text):
    return ingest_message(channel, InboundMessage(
        external_id=external_id, sender=Sender(kind="phone", address=address), text=text)).message


@pytest.fixture
def known_week(db, clock, business_week, team, other_team, make_agent):
    return build_known_week(clock, team, other_team, make_agent)


def build_known_week(clock, team, other_team, make_agent):
    """Three customers with known times (UTC), Friday 2026-03-06 to Monday 2026-03-09.

    Ana (WhatsApp): writes Fri 17:00; first answer Mon 10:00 on SMS (another channel); writes again 10:30,
      answered 10:50; resolved 11:00; rates 4.
    Bruno (SMS): writes Mon 09:00, answered 09:05, resolved 09:30, rates 2.
    Carla (WhatsApp then SMS: a hop): writes Mon 12:00 on WhatsApp and 12:10 on SMS, answered 12:20, resolved 13:00.
    Dario (Vendas team, SMS): writes Mon 14:00, never answered.
    """
    agent = make_agent("alice", teams=[team])
    seller = make_agent("victor", teams=[other_team])
    config = twilio_config("http://127.0.0.1:9")
    whatsapp = create_channel("twilio_whatsapp", "WhatsApp", {**config, "from_number": "whatsapp:+15550001111"},
                              team=team)
    sms = create_channel("twilio_sms", "SMS", config, team=team)

    clock.set(2026, 3, 6, 17, 0)
    ana = _inbound(whatsapp, "a1", "+5511900000001", "Meu pedido não chegou").conversation
    clock.set(2026, 3, 9, 9, 0)
    bruno = _inbound(sms, "b1", "+5511900000002", "Preciso trocar o endereço").conversation
    clock.set(2026, 3, 9, 9, 5)
    send_reply(bruno, agent, "Claro, qual o novo endereço?", channel=sms)
    clock.set(2026, 3, 9, 9, 30)
    update_conversation(bruno, agent, status=Conversation.Status.RESOLVED)
    clock.set(2026, 3, 9, 10, 0)
    send_reply(ana, agent, "Vamos verificar agora mesmo", channel=sms)
    clock.set(2026, 3, 9, 10, 30)
    _inbound(whatsapp, "a2", "+5511900000001", "Ainda não chegou")
    clock.set(2026, 3, 9, 10, 50)
    send_reply(ana, agent, "Chega hoje à tarde", channel=whatsapp)
    clock.set(2026, 3, 9, 11, 0)
    update_conversation(ana, agent, status=Conversation.Status.RESOLVED)
    clock.set(2026, 3, 9, 12, 0)
    carla = _inbound(whatsapp, "c1", "+5511900000003", "Oi, uma dúvida").conversation
    clock.set(2026, 3, 9, 12, 10)
    _inbound(sms, "c2", "+5511900000003", "Mandei no WhatsApp também")
    clock.set(2026, 3, 9, 12, 20)
    send_reply(carla, agent, "Pode falar!", channel=sms)
    clock.set(2026, 3, 9, 13, 0)
    update_conversation(carla, agent, status=Conversation.Status.RESOLVED)
    clock.set(2026, 3, 9, 14, 0)
    dario = _inbound(sms, "d1", "+5511900000004", "Quero um orçamento").conversation
    Conversation.objects.filter(pk=dario.pk).update(team=other_team)
    clock.set(2026, 3, 9, 15, 0)
    rate_cycle(ana.cycles.get().pk, 4)
    rate_cycle(bruno.cycles.get().pk, 2)
    clock.set(2026, 3, 9, 16, 0)
    refresh_rollups()
    supervisor = make_agent("sofia", role=AgentProfile.Role.SUPERVISOR)
    return {"agent": agent, "seller": seller, "supervisor": supervisor, "whatsapp": whatsapp, "sms": sms,
            "team": team, "other_team": other_team, "conversations": (ana, bruno, carla, dario)}


@pytest.fixture
def known_week_live(transactional_db, live_server_url, clock, business_week, team, other_team, make_agent, request):
    """The known week, in a database the live server (another thread) can read; the clock runs again after.

    Built in a thread of its own: Playwright's sync API keeps an event loop in the test's thread, and the
    embedded mode sends the events of each change through async_to_sync.
    """
    def build():
        try:
            return build_known_week(clock, team, other_team, make_agent)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=1) as pool:
        data = pool.submit(build).result()
    request.getfixturevalue("monkeypatch").undo()
    return data
