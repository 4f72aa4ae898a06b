"""The rules API: admins build rules as JSON trees; anyone sees the "Why?" of conversations they may see."""
import pytest

from automation.models import AutomationRule
from channels_adapters.types import InboundMessage, Sender
from conversations.actions.ingest import ingest_message

RULE = {"name": "Refunds", "event": "message_received",
        "conditions": {"any": [{"field": "text", "op": "contains", "value": "reembolso"},
                               {"field": "text", "op": "contains", "value": "devolução"}]},
        "actions": [{"type": "add_label", "label": "refund"}, {"type": "set_priority", "priority": "high"}]}


@pytest.fixture
def conversation(make_api_channel, team, django_capture_on_commit_callbacks):
    def receive():
        inbound = InboundMessage(external_id="wa-1", sender=Sender(kind="phone", address="+5511999990001"),
                                 text="Quero a devolução")
        with django_capture_on_commit_callbacks(execute=True):
            return ingest_message(make_api_channel("WhatsApp", team=team), inbound).message.conversation

    return receive


def test_an_admin_creates_a_rule_that_then_fires_and_explains_itself(admin_user, client_for, conversation,
                                                                     make_agent, team):
    api = client_for(admin_user)
    created = api.post("/api/v1/automation-rules/", RULE, format="json")
    assert created.status_code == 201 and created.json()["version"] == 1
    conv = conversation()
    conv.refresh_from_db()
    assert conv.priority == "high"
    why = client_for(make_agent("ana", teams=[team])).get(f"/api/v1/automation-evaluations/?conversation={conv.pk}")
    [evaluation] = why.json()["results"]
    assert evaluation["outcome"] == "matched" and evaluation["actions_done"] == ["label refund added", "priority high"]

    changed = api.patch(f"/api/v1/automation-rules/{created.json()['id']}/", {"active": False}, format="json")
    assert changed.status_code == 200 and changed.json()["version"] == 2 and not changed.json()["active"]
    dry = api.post(f"/api/v1/automation-rules/{created.json()['id']}/dry-run/")
    assert dry.status_code == 200 and dry.json()[0]["matched"] is True


@pytest.mark.parametrize("change", [
    {"conditions": {"field": "text", "op": "gt", "value": 3}},
    {"conditions": "text contains x"},
    {"actions": [{"type": "send_reply", "text": "{% debug %}"}]},
    {"actions": "add label"},
    {"event": "sla_breached_tomorrow"},
    {"name": ""},
])
def test_bad_rules_are_a_clear_400_and_nothing_is_stored(admin_user, client_for, change):
    answer = client_for(admin_user).post("/api/v1/automation-rules/", {**RULE, **change}, format="json")
    assert answer.status_code == 400 and answer.json()
    assert not AutomationRule.objects.exists()


def test_agents_cannot_manage_rules_nor_read_other_teams_why(make_agent, team, other_team, client_for, conversation):
    conv = conversation()
    outsider = client_for(make_agent("olga", teams=[other_team]))
    assert outsider.get("/api/v1/automation-rules/").status_code == 403
    assert outsider.post("/api/v1/automation-rules/", RULE, format="json").status_code == 403
    assert outsider.get(f"/api/v1/automation-evaluations/?conversation={conv.pk}").status_code == 404
    assert outsider.get("/api/v1/automation-evaluations/?conversation=abc").status_code == 400


def test_sla_rules_with_routing_actions_over_the_api(admin_user, client_for):
    from routing.models import SlaPolicy

    strict = SlaPolicy.objects.create(name="Strict")
    api = client_for(admin_user)
    created = api.post("/api/v1/automation-rules/", {
        "name": "Late", "event": "sla_breached",
        "conditions": {"all": [{"field": "sla_metric", "op": "eq", "value": "resolution"},
                               {"field": "language", "op": "eq", "value": "pt-BR"}]},
        "actions": [{"type": "apply_sla_policy", "policy": strict.pk}, {"type": "assign_automatically"},
                    {"type": "send_reply", "text": "Sorry!", "variants": {"pt-br": "Desculpe!"}}]}, format="json")
    assert created.status_code == 201, created.json()
    timer = api.post("/api/v1/automation-rules/", {**RULE, "event": "customer_waiting", "delay_minutes": 90,
                                                   "delay_in_business_minutes": True}, format="json")
    assert timer.status_code == 201 and timer.json()["delay_in_business_minutes"] is True
    refused = api.post("/api/v1/automation-rules/", {**RULE, "actions": [
        {"type": "send_reply", "text": "Hi", "variants": {"fr": "Salut"}}]}, format="json")
    assert refused.status_code == 400 and "fr" in str(refused.json())
