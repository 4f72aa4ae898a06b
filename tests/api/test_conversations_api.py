from datetime import UTC, datetime

import pytest
import time_machine

from channels_adapters.types import InboundMessage, Sender
from conversations.actions.ingest import ingest_message
from conversations.models import Conversation, ConversationEvent, Message
from routing.models import SlaPolicy, SlaTarget


@pytest.fixture
def conversation(make_api_channel, team):
    channel = make_api_channel("Support line", team=team)
    return ingest_message(channel, InboundMessage("s-1", Sender("phone", "+5511999990001", "Maria"), "Oi")).message.conversation


@pytest.fixture
def admin(admin_user, client_for):
    return client_for(admin_user)


def test_patch_changes_state_and_records_the_audit_trail(admin, admin_user, conversation, team):
    response = admin.patch(f"/api/v1/conversations/{conversation.pk}/", {
        "status": "pending", "assignee": admin_user.pk, "priority": "high", "labels": ["Entrega", "vip"],
    }, format="json")
    assert response.status_code == 200, response.content
    data = response.json()
    assert (data["status"], data["assignee"], data["priority"], sorted(data["labels"])) == (
        "pending", admin_user.pk, "high", ["entrega", "vip"])
    kinds = set(ConversationEvent.objects.filter(conversation=conversation).values_list("kind", flat=True))
    assert {"status_changed", "assigned", "priority_changed", "labels_changed"} <= kinds
    assert ConversationEvent.objects.filter(kind="assigned").get().actor == admin_user


@pytest.mark.parametrize("body, field", [
    ({"status": "closed"}, "status"),
    ({"priority": "whenever"}, "priority"),
    ({"status": "snoozed"}, "snoozed_until"),
    ({"assignee": 999999}, "assignee"),
    ({"labels": "vip"}, "labels"),
])
def test_bad_patches_are_refused_and_change_nothing(admin, conversation, body, field):
    response = admin.patch(f"/api/v1/conversations/{conversation.pk}/", body, format="json")
    assert response.status_code == 400
    assert field in response.json()
    conversation.refresh_from_db()
    assert conversation.status == Conversation.Status.OPEN and conversation.priority == "none"


def test_filters(admin, conversation, admin_user):
    assert admin.get("/api/v1/conversations/", {"status": "open"}).json()["count"] == 1
    assert admin.get("/api/v1/conversations/", {"status": "resolved"}).json()["count"] == 0
    assert admin.get("/api/v1/conversations/", {"unassigned": "true"}).json()["count"] == 1
    assert admin.get("/api/v1/conversations/", {"customer": conversation.customer_id}).json()["count"] == 1
    assert admin.get("/api/v1/conversations/", {"channel": str(conversation.last_inbound_channel_id)}).json()["count"] == 1


def test_a_private_note_is_not_sent(admin, conversation):
    response = admin.post(f"/api/v1/conversations/{conversation.pk}/messages/", {"text": "VIP", "private": True},
                          format="json")
    assert response.status_code == 201
    assert response.json()["direction"] == "note" and response.json()["channel"] is None


def test_a_reply_on_a_channel_without_an_identity_is_a_clear_error(admin, conversation, make_api_channel):
    stranger_channel = make_api_channel("Other integration")
    response = admin.post(f"/api/v1/conversations/{conversation.pk}/messages/",
                          {"text": "Hi", "channel": str(stranger_channel.pk)}, format="json")
    assert response.status_code == 400
    assert "never written on Other integration" in response.json()["channel"][0]
    assert not Message.objects.filter(direction=Message.Direction.OUTBOUND).exists()


def test_an_empty_reply_is_refused(admin, conversation):
    response = admin.post(f"/api/v1/conversations/{conversation.pk}/messages/", {"text": "   "}, format="json")
    assert response.status_code == 400


def test_messages_are_chronological_and_paginated(admin, conversation, settings):
    for index in range(60):
        Message.objects.create(conversation=conversation, direction=Message.Direction.NOTE, text=f"n{index}")
    first = admin.get(f"/api/v1/conversations/{conversation.pk}/messages/").json()
    assert first["count"] == 61 and len(first["results"]) == 50 and first["next"]
    assert first["results"][0]["text"] == "Oi"


def test_openapi_schema(admin):
    response = admin.get("/api/v1/schema/")
    assert response.status_code == 200
    assert b"/api/v1/conversations/{id}/messages/" in response.content


def test_channel_validation_errors_are_clear(admin):
    response = admin.post("/api/v1/channels/", {"kind": "api", "name": "X", "config": {"secret": "short"}},
                          format="json")
    assert response.status_code == 400 and "secret" in response.json()["config"][0]
    response = admin.post("/api/v1/channels/", {"kind": "pigeon", "name": "X", "config": {}}, format="json")
    assert response.status_code == 400 and "kind" in response.json()
    response = admin.post("/api/v1/channels/", {"kind": "api", "name": "X", "config": {"secret": "s" * 20, "x": 1}},
                          format="json")
    assert response.status_code == 400 and "unknown key" in response.json()["config"][0]


def test_deactivating_a_channel(admin, make_api_channel):
    channel = make_api_channel("Old")
    response = admin.delete(f"/api/v1/channels/{channel.pk}/")
    assert response.status_code == 200 and response.json()["active"] is False


def test_updating_a_channel_keeps_secrets_left_out(admin, make_api_channel, fake_http):
    channel = make_api_channel("Old")
    response = admin.patch(f"/api/v1/channels/{channel.pk}/", {"config": {"callback_url": fake_http.url}},
                           format="json")
    assert response.status_code == 200, response.content
    channel.refresh_from_db()
    assert channel.config["secret"] and channel.config["callback_url"] == fake_http.url


def test_agents_are_created_with_teams(admin, team):
    response = admin.post("/api/v1/agents/", {"username": "ana", "password": "a-long-pass-phrase-1", "name": "Ana",
                                              "role": "agent", "teams": [team.pk], "email": "ana@example.com"},
                          format="json")
    assert response.status_code == 201, response.content
    assert response.json()["teams"] == [team.pk] and "password" not in response.json()
    weak = admin.post("/api/v1/agents/", {"username": "bo", "password": "123", "role": "agent"}, format="json")
    assert weak.status_code == 400 and "password" in weak.json()


def test_the_list_filters_by_sla_state_and_mood(make_api_channel, team, make_agent, client_for, settings,
                                                django_capture_on_commit_callbacks):
    """A 30-minute first-response SLA warning 15 minutes before; customers write at 10:00 and 10:20, read at 10:40."""
    settings.INSIGHTS_SENTIMENT_ON_ARRIVAL = True
    channel = make_api_channel("Support line", team=team)
    agent, stranger = make_agent("ana", teams=[team]), make_agent("bruno")
    written = {}
    with time_machine.travel(datetime(2026, 3, 2, 10, 0, tzinfo=UTC), tick=False) as clock:
        policy = SlaPolicy.objects.create(name="Standard", warn_before_minutes=15)
        for priority in Conversation.Priority.values:
            SlaTarget.objects.create(policy=policy, metric="first_response", priority=priority, minutes=30)
        for minutes, address, text in [(0, "+5511999990001", "PÉSSIMO, NINGUÉM RESOLVE NADA 😡"),
                                       (20, "+5511999990002", "Adorei, muito obrigado!")]:
            clock.move_to(datetime(2026, 3, 2, 10, minutes, tzinfo=UTC))
            with django_capture_on_commit_callbacks(execute=True):
                written[minutes] = ingest_message(channel, InboundMessage(
                    f"m{minutes}", Sender("phone", address), text)).message.conversation_id
        clock.move_to(datetime(2026, 3, 2, 10, 40, tzinfo=UTC))
        api = client_for(agent)

        def listed(**params):
            answer = api.get("/api/v1/conversations/", params)
            assert answer.status_code == 200, answer.content
            return [row["id"] for row in answer.json()["results"]]

        # Past due before the sweep has recorded it: breached all the same.
        assert listed(sla="breached") == [written[0]]
        assert listed(sla="due_soon") == [written[20]]
        assert listed(sentiment="negative") == [written[0]]
        assert listed(sentiment="positive", sla="due_soon") == [written[20]]
        assert listed(sentiment="negative", sla="due_soon") == []
        row = api.get(f"/api/v1/conversations/{written[0]}/").json()
        assert row["sentiment"]["label"] == "negative" and -1 <= row["sentiment"]["score"] < 0
        # Filters never widen what an agent may see.
        assert client_for(stranger).get("/api/v1/conversations/", {"sla": "breached"}).json()["count"] == 0
        for bad in ({"sla": "late"}, {"sentiment": "angry"}):
            refused = api.get("/api/v1/conversations/", bad)
            assert refused.status_code == 400 and set(bad) <= set(refused.json())
