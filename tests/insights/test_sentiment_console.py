from bs4 import BeautifulSoup
from django.test import Client

from channels_adapters.types import InboundMessage, Sender
from conversations.actions.ingest import ingest_message
from insights.inbox import MOST_NEGATIVE


def _write(channel, external_id, address, text, capture):
    with capture(execute=True):
        return ingest_message(channel, InboundMessage(external_id=external_id, sender=Sender("phone", address),
                                                      text=text)).message


def _html(user, path):
    client = Client()
    client.force_login(user)
    answer = client.get(path)
    assert answer.status_code == 200
    return BeautifulSoup(answer.content, "html.parser")


def test_each_customer_message_has_a_badge_and_the_panel_a_mood_trend(
        make_api_channel, team, make_agent, django_capture_on_commit_callbacks):
    channel = make_api_channel("WhatsApp", team=team)
    agent = make_agent("ana", teams=[team])
    first = _write(channel, "1", "+5511900000001", "Não gostei, veio quebrado 😡", django_capture_on_commit_callbacks)
    _write(channel, "2", "+5511900000001", "Obrigado, agora chegou certinho!", django_capture_on_commit_callbacks)
    html = _html(agent, f"/conversations/{first.conversation_id}/")
    badges = html.select("#timeline .message.inbound .sentiment-badge, .message.inbound .sentiment-badge")
    assert [b["data-sentiment"] for b in badges] == ["negative", "positive"]
    trend = html.select_one("[data-fact=mood]")
    assert [p["data-label"] for p in trend.select(".mood-points li")] == ["negative", "positive"]
    assert len(trend.select("svg.mood-chart circle")) == 2


def test_the_conversation_page_loads_badges_without_a_query_per_message(
        make_api_channel, team, make_agent, django_capture_on_commit_callbacks, django_assert_max_num_queries):
    channel = make_api_channel("WhatsApp", team=team)
    agent = make_agent("ana", teams=[team])
    first = _write(channel, "1", "+5511900000001", "Péssimo", django_capture_on_commit_callbacks)
    client = Client()
    client.force_login(agent)
    client.get(f"/conversations/{first.conversation_id}/")
    with django_assert_max_num_queries(60) as few:
        client.get(f"/conversations/{first.conversation_id}/")
    for index in range(10):
        _write(channel, f"more-{index}", "+5511900000001", f"Ainda nada, dia {index}", django_capture_on_commit_callbacks)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(f"/conversations/{first.conversation_id}/")


def test_the_inbox_filters_by_mood_and_sorts_most_negative_first(
        make_api_channel, team, make_agent, django_capture_on_commit_callbacks):
    channel = make_api_channel("WhatsApp", team=team)
    agent = make_agent("ana", teams=[team])
    calm = _write(channel, "1", "+5511900000001", "Qual o horário da loja?", django_capture_on_commit_callbacks)
    angry = _write(channel, "2", "+5511900000002", "PÉSSIMO, NINGUÉM RESOLVE NADA 😡", django_capture_on_commit_callbacks)
    happy = _write(channel, "3", "+5511900000003", "Adorei, muito obrigado!", django_capture_on_commit_callbacks)

    rows = _html(agent, "/?view=teams").select("li.row")
    assert [int(r["data-id"]) for r in rows] == [calm.conversation_id, angry.conversation_id, happy.conversation_id]
    rows = _html(agent, f"/?view=teams&sort={MOST_NEGATIVE}").select("li.row")
    assert [int(r["data-id"]) for r in rows] == [angry.conversation_id, calm.conversation_id, happy.conversation_id]
    assert rows[0].select_one("[data-mood=negative]") is not None
    keys = [r["data-sort"] for r in rows]
    assert keys == sorted(keys)
    rows = _html(agent, "/?view=teams&sentiment=negative").select("li.row")
    assert [int(r["data-id"]) for r in rows] == [angry.conversation_id]
    rows = _html(agent, "/?view=teams&sentiment=furious").select("li.row")
    assert len(rows) == 3  # an unknown mood filters nothing, like the inbox's other filters
