"""What an integrator does: create a channel over the API, post signed messages, read one conversation back."""
import httpx
import pytest
from django.core.management import call_command
from rest_framework.authtoken.models import Token

from conversations.models import Channel, Conversation, Customer, Message

from ..conftest import API_SECRET, api_message, signed


@pytest.fixture
def admin_http(live_server_url, admin_user):
    token = Token.objects.create(user=admin_user)
    return httpx.Client(base_url=live_server_url, headers={"Authorization": f"Token {token.key}"}, timeout=10)


def test_two_channels_one_person_one_conversation_over_http(admin_http, live_server_url, fake_http):
    team = admin_http.post("/api/v1/teams/", json={"name": "Suporte"}).json()
    channels = []
    for name in ("WhatsApp bridge", "SMS bridge"):
        response = admin_http.post("/api/v1/channels/", json={
            "kind": "api", "name": name, "team": team["id"],
            "config": {"secret": API_SECRET, "callback_url": fake_http.url + f"/{name.split()[0].lower()}"},
        })
        assert response.status_code == 201, response.text
        channels.append(response.json())
    whatsapp, sms = channels
    for channel in channels:
        assert set(channel["config"]) == {"callback_url"}  # the secret never comes back
        assert channel["webhook_url"].endswith(f"/webhooks/{channel['id']}/")

    for channel, external_id, address in ((whatsapp, "wa-1", "+55 11 99999-0001"), (sms, "sms-1", "+5511999990001")):
        body, headers = signed(api_message(external_id, address, text=f"via {channel['name']}", name="Maria"))
        path = "/" + channel["webhook_url"].split("/", 3)[3]
        assert httpx.post(live_server_url + path, content=body, headers=headers).status_code == 200

    customers = admin_http.get("/api/v1/customers/", params={"search": "99999"}).json()["results"]
    assert len(customers) == 1
    assert [i["address"] for i in customers[0]["identities"]] == ["+5511999990001"]
    conversations = admin_http.get("/api/v1/conversations/").json()["results"]
    assert len(conversations) == 1
    conversation = conversations[0]
    assert conversation["last_inbound_channel"] == sms["id"]
    assert conversation["team"] == team["id"]

    messages = admin_http.get(f"/api/v1/conversations/{conversation['id']}/messages/").json()["results"]
    assert [(m["direction"], m["channel"]["name"] if m["channel"] else None) for m in messages] == [
        ("inbound", "WhatsApp bridge"), ("system", None), ("inbound", "SMS bridge")]

    # The reply goes to the channel the customer wrote on last, signed for the integrator.
    fake_http.respond()
    reply = admin_http.post(f"/api/v1/conversations/{conversation['id']}/messages/", json={"text": "Olá Maria!"})
    assert reply.status_code == 201, reply.text
    assert reply.json()["channel"]["id"] == sms["id"]
    assert [r.path for r in fake_http.requests] == ["/sms"]
    delivered = fake_http.requests[0]
    assert delivered.json()["to"] == {"kind": "phone", "address": "+5511999990001"}
    assert delivered.json()["text"] == "Olá Maria!"
    from channels_adapters.base import omnidesk_signature
    sent_at = delivered.headers["X-OmniDesk-Timestamp"]
    assert delivered.headers["X-OmniDesk-Signature"] == omnidesk_signature(API_SECRET, sent_at, delivered.body)
    assert Message.objects.get(pk=reply.json()["id"]).status == Message.Status.SENT

    # Choosing the other channel explicitly works too: the customer has an identity there.
    other = admin_http.post(f"/api/v1/conversations/{conversation['id']}/messages/",
                            json={"text": "Também por aqui", "channel": whatsapp["id"]})
    assert other.status_code == 201 and other.json()["channel"]["id"] == whatsapp["id"]


def test_channel_config_is_encrypted_at_rest(admin_http):
    response = admin_http.post("/api/v1/channels/", json={"kind": "api", "name": "X", "config": {"secret": API_SECRET}})
    channel = Channel.objects.get(pk=response.json()["id"])
    assert API_SECRET not in channel.config_encrypted
    assert channel.config["secret"] == API_SECRET


def test_bootstrap_with_standard_commands(monkeypatch, db, capsys):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "boot-strap-pass-1")
    call_command("createsuperuser", "--noinput", "--username", "boss", "--email", "boss@example.com")
    call_command("drf_create_token", "boss")
    token = Token.objects.get(user__username="boss")
    assert token.key in capsys.readouterr().out
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert client.post("/api/v1/teams/", {"name": "Vendas"}, format="json").status_code == 201
    assert Customer.objects.count() == 0 and Conversation.objects.count() == 0
