"""Routing's live events reach only who may see the conversation (team, assignee, supervisors)."""
import pytest
from asgiref.sync import sync_to_async

from conversations.models import AgentProfile
from routing.models import AssignmentPolicy, SlaPolicy, SlaTarget

from ..console.test_websocket_permissions import connect, drain, ingest, own_channel_layer, setup  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def sla_and_queue(team):
    AssignmentPolicy.objects.create(team=team, mode=AssignmentPolicy.Mode.ROUND_ROBIN)
    policy = SlaPolicy.objects.create(name="Standard")
    SlaTarget.objects.create(policy=policy, metric="first_response", priority="none", minutes=30)


async def test_sla_and_queue_events_stay_within_the_team(setup, sla_and_queue, make_agent):
    carla = await sync_to_async(make_agent)("carla", role=AgentProfile.Role.SUPERVISOR)
    bruno = await connect(setup["bruno"])  # another team
    supervisor = await connect(carla)
    await drain(bruno)
    await drain(supervisor)
    conversation_id = await ingest(setup["support"], "s-1", "+5511999990001")
    frames = await drain(supervisor)
    sla = [f["payload"] for f in frames if f.get("event") == "sla.changed"]
    assert sla and sla[-1]["conversation"] == conversation_id and sla[-1]["sla"]["metric"] == "first_response"
    assert [e["kind"] for e in sla[-1]["events"]] == ["start"]
    assert {"teams": [setup["support"].team_id]} in [f["payload"] for f in frames if f.get("event") == "queue.changed"]
    leaked = [f for f in await drain(bruno) if f.get("event") in ("sla.changed", "queue.changed", "message.created")]
    assert leaked == []
    await bruno.disconnect()
    await supervisor.disconnect()
