"""The per-process hub: one message per event, one frame per socket, access checked before anything is sent."""
import asyncio
import json

import pytest
from asgiref.sync import sync_to_async

from conversations import events
from conversations.actions.assignment import update_conversation
from conversations.fanout import ACCESS_MESSAGE, Hub
from conversations.models import AgentProfile, Conversation, Customer
from conversations.visibility import can_see_conversation, sees_everything, team_ids


class Socket:
    """What the hub needs of a socket, recording what it was handed."""

    def __init__(self, hub, name, groups):
        self.hub, self.name = hub, name
        self.frames, self.revoked, self.accesses = [], [], []
        for group in groups:
            hub.groups_of.setdefault(self, set())
            hub.join(self, group)

    async def deliver(self, event_name, text):
        self.frames.append((event_name, json.loads(text)["payload"]))

    async def conversation_access(self, conversation_id, viewer_groups):
        if self.hub.groups(self) & viewer_groups:
            return False
        self.hub.leave(self, events.conversation_group(conversation_id))
        self.revoked.append(conversation_id)
        return True

    async def access_changed(self, access):
        self.accesses.append(access)


def frame(event_type, payload):
    return events.encode_frame(event_type, payload)


def event(tiers, access=None):
    return {"type": "live.event", "event": tiers[0][1], "access": access,
            "tiers": [[groups, event_type.name, frame(event_type, payload)] for groups, event_type, payload in tiers]}


@pytest.fixture
def hub():
    return Hub(layer=None)


async def test_each_socket_gets_the_first_tier_it_is_in_and_only_once(hub):
    reader = Socket(hub, "reader", ["conversation.7", "team.1", "agent.1"])
    teammate = Socket(hub, "teammate", ["team.1", "agent.2"])
    supervisor = Socket(hub, "supervisor", ["supervisors", "team.1", "agent.3"])
    stranger = Socket(hub, "stranger", ["team.2", "agent.4"])
    await hub.handle(event([
        (["conversation.7"], events.MESSAGE_CREATED, {"text": "full"}),
        (["supervisors", "team.1"], events.CONVERSATION_UPDATED, {"id": 7}),
    ], access=[7, ["supervisors", "team.1"]]))
    assert reader.frames == [("message.created", {"text": "full"})]
    assert teammate.frames == supervisor.frames == [("conversation.updated", {"id": 7})]
    assert stranger.frames == [] and reader.revoked == []


async def test_a_socket_that_lost_the_conversation_gets_nothing_of_the_event(hub):
    moved_away = Socket(hub, "moved away", ["conversation.7", "team.1", "agent.1"])
    new_team = Socket(hub, "new team", ["conversation.7", "team.2", "agent.2"])
    await hub.handle(event([
        (["conversation.7"], events.MESSAGE_CREATED, {"text": "secret"}),
        (["supervisors", "team.2"], events.CONVERSATION_UPDATED, {"id": 7}),
        (["team.1"], events.CONVERSATION_REVOKED, {"conversation": 7}),
    ], access=[7, ["supervisors", "team.2"]]))
    assert moved_away.revoked == [7] and moved_away.frames == []
    assert "conversation.7" not in hub.groups(moved_away)
    assert new_team.frames == [("message.created", {"text": "secret"})]


async def test_access_messages_reach_the_agents_sockets_only(hub):
    ana_tab, ana_other_tab = Socket(hub, "ana", ["agent.1"]), Socket(hub, "ana 2", ["agent.1"])
    bruno = Socket(hub, "bruno", ["agent.2"])
    access = {"user": 1, "active": False, "groups": [], "team_ids": []}
    await hub.handle({"type": ACCESS_MESSAGE, "group": "agent.1", "access": access})
    assert ana_tab.accesses == ana_other_tab.accesses == [access] and bruno.accesses == []


async def test_leaving_the_last_group_forgets_it(hub):
    socket = Socket(hub, "s", ["team.1"])
    hub.leave(socket, "team.1")
    assert hub.members == {} and hub.groups(socket) == frozenset()


@pytest.mark.django_db
def test_the_groups_of_a_socket_say_what_the_visibility_rule_says(make_agent, team, other_team):
    """events.viewer_groups is the websocket form of conversations/visibility.py: they must never disagree."""
    agents = [make_agent("ana", teams=[team]), make_agent("bruno", teams=[other_team]), make_agent("edu"),
              make_agent("carla", role=AgentProfile.Role.SUPERVISOR), make_agent("dora", teams=[team, other_team])]
    conversations = []
    for index, (conversation_team, assignee) in enumerate(
            [(team, None), (other_team, None), (None, None), (team, agents[2]), (None, agents[2])]):
        conversation = Conversation.objects.create(customer=Customer.objects.create(name=f"c{index}"),
                                                   team=conversation_team)
        if assignee:
            conversation = update_conversation(conversation, None, assignee=assignee)
        conversations.append(conversation)
    for user in agents:
        groups = set(events.agent_groups(user.pk, team_ids(user), sees_everything(user)))
        for conversation in conversations:
            assert can_see_conversation(user, conversation.pk) == bool(
                groups & set(events.conversation_viewers(conversation))), (user.username, conversation.pk)


@pytest.mark.django_db(transaction=True)
async def test_one_change_is_one_message_to_the_layer(make_api_channel, team):
    from channels.layers import channel_layers, get_channel_layer

    from channels_adapters.types import InboundMessage, Sender
    from conversations.actions.ingest import ingest_message
    from conversations.fanout import LIVE_GROUP

    channel_layers.backends.pop("default", None)
    layer = get_channel_layer()
    hub_channel = await layer.new_channel()
    await layer.group_add(LIVE_GROUP, hub_channel)
    support = await sync_to_async(make_api_channel)("Support line", team=team)
    await sync_to_async(ingest_message)(support, InboundMessage("m-1", Sender("phone", "+5511999990001"), "Oi"))
    message = await layer.receive(hub_channel)
    assert [name for _groups, name, _text in message["tiers"]] == ["message.created", "conversation.created"]
    assert message["access"][1] == [events.SUPERVISORS_GROUP, events.team_group(team.pk)]
    # Nothing else for this change (not a message per group or per event kind). The customer 360 layer
    # announces its own change (the first message made a visitor a lead) to the open conversation only.
    while True:
        try:
            other = await asyncio.wait_for(layer.receive(hub_channel), timeout=0.5)
        except asyncio.TimeoutError:
            break
        assert [(groups, name) for groups, name, _text in other["tiers"]] == [
            ([events.conversation_group(message["access"][0])], "conversation.updated")]
    channel_layers.backends.pop("default", None)
