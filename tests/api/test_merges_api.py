"""Merging customers over the API: suggested, confirmed, recorded, undone; only within what the caller sees."""
import pytest

from channels_adapters.types import InboundMessage, Sender
from conversations.actions.customers import update_customer
from conversations.actions.ingest import ingest_message
from conversations.models import Identity


def customer_of(channel, external_id, kind, address):
    return ingest_message(channel, InboundMessage(external_id, Sender(kind, address), "Oi")).message.conversation.customer


@pytest.fixture
def setup(make_api_channel, team, other_team, make_agent, client_for):
    support = make_api_channel("Support", team=team)
    ana = make_agent("ana", teams=[team])
    return {
        "phone": customer_of(support, "1", "phone", "+5511999990001"),
        "mail": customer_of(support, "2", "email", "maria@example.com"),
        "foreign": customer_of(make_api_channel("Sales", team=other_team), "3", "phone", "+5511999990009"),
        "ana": client_for(ana),
    }


def test_suggest_merge_and_undo(setup):
    phone, mail, api = setup["phone"], setup["mail"], setup["ana"]
    update_customer(phone, attributes={"email": "maria@example.com"})
    suggestions = api.get(f"/api/v1/customers/{phone.pk}/merge-suggestions/").json()
    assert [c["id"] for c in suggestions] == [mail.pk]

    response = api.post(f"/api/v1/customers/{phone.pk}/merge/", {"source": mail.pk}, format="json")
    assert response.status_code == 201, response.content
    record = response.json()
    assert Identity.objects.get(address="maria@example.com").customer_id == phone.pk
    assert [m["id"] for m in api.get("/api/v1/merges/").json()["results"]] == [record["id"]]

    undone = api.post(f"/api/v1/merges/{record['id']}/undo/").json()
    assert undone["undone_at"] and Identity.objects.get(address="maria@example.com").customer_id == mail.pk
    assert api.post(f"/api/v1/merges/{record['id']}/undo/").status_code == 400


def test_a_customer_outside_ones_teams_cannot_be_merged(setup):
    response = setup["ana"].post(f"/api/v1/customers/{setup['phone'].pk}/merge/", {"source": setup["foreign"].pk},
                                 format="json")
    assert response.status_code == 404
    assert Identity.objects.get(address="+5511999990009").customer_id == setup["foreign"].pk
