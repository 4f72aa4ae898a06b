"""The story the product exists for: one phone on SMS and WhatsApp is one customer with one conversation,
and the agent's reply goes out on the channel the customer wrote from last. All over real HTTP."""
import json
from urllib.parse import parse_qs

import httpx
import pytest
from rest_framework.authtoken.models import Token

from conversations.models import Channel, Customer, Identity
from tests.fake_http import ScriptedResponse

from .providers import ACCOUNT_SID, CUSTOMER, META_SECRET, fixture, post_meta, post_twilio, twilio_config


@pytest.fixture
def api(live_server_url, admin_user, settings):
    settings.PUBLIC_BASE_URL = "https://inbox.example.com"
    token = Token.objects.create(user=admin_user)
    return httpx.Client(base_url=live_server_url, headers={"Authorization": f"Token {token.key}"}, timeout=10)


def create(api, kind, name, config):
    response = api.post("/api/v1/channels/", json={"kind": kind, "name": name, "config": config})
    assert response.status_code == 201, response.text
    assert response.json()["webhook_url"] == f"https://inbox.example.com/webhooks/{response.json()['id']}/"
    return Channel.objects.get(pk=response.json()["id"])


def sent_fields(fake_http):
    return {key: values[0] for key, values in parse_qs(fake_http.requests[-1].body.decode()).items()}


def test_sms_then_whatsapp_then_sms_is_one_conversation_answered_where_the_customer_is(api, live_server_url,
                                                                                      fake_http):
    sms = create(api, "twilio_sms", "SMS Loja", twilio_config(fake_http.url))
    whatsapp = create(api, "twilio_whatsapp", "WhatsApp Loja", twilio_config(fake_http.url))
    fake_http.respond(ScriptedResponse(201, {"sid": "SM" + "a" * 32}), ScriptedResponse(201, {"sid": "SM" + "b" * 32}))

    assert post_twilio(live_server_url, sms, fixture("twilio_sms_inbound.txt")).status_code == 200
    assert post_twilio(live_server_url, whatsapp, fixture("twilio_whatsapp_inbound.txt")).status_code == 200
    assert Customer.objects.count() == 1 and Identity.objects.get().address == CUSTOMER
    (conversation,) = api.get("/api/v1/conversations/").json()["results"]
    assert conversation["last_inbound_channel"] == str(whatsapp.pk)
    assert conversation["customer"]["name"] == "Maria Teste"

    url = f"/api/v1/conversations/{conversation['id']}/messages/"
    first = api.post(url, json={"text": "Oi Maria, já vamos ver a fatura."})
    assert first.status_code == 201 and first.json()["channel"]["kind"] == "twilio_whatsapp"
    fields = sent_fields(fake_http)
    assert (fields["To"], fields["From"]) == (f"whatsapp:{CUSTOMER}", "whatsapp:+15005550006")
    assert fake_http.requests[-1].path == f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"

    again = fixture("twilio_sms_inbound.txt").replace(b"SM00000000000000000000000000000001",
                                                       b"SM00000000000000000000000000000009")
    assert post_twilio(live_server_url, sms, again).status_code == 200
    second = api.post(url, json={"text": "Recebemos o seu SMS."})
    assert second.status_code == 201 and second.json()["channel"]["kind"] == "twilio_sms"
    assert (sent_fields(fake_http)["To"], sent_fields(fake_http)["From"]) == (CUSTOMER, "+15005550006")

    timeline = api.get(url).json()["results"]
    assert [(m["direction"], m["channel"]["kind"] if m["channel"] else None, m["status"]) for m in timeline] == [
        ("inbound", "twilio_sms", "received"),
        ("system", None, "received"),
        ("inbound", "twilio_whatsapp", "received"),
        ("outbound", "twilio_whatsapp", "sent"),
        ("system", None, "received"),
        ("inbound", "twilio_sms", "received"),
        ("outbound", "twilio_sms", "sent"),
    ]


def test_whatsapp_cloud_ids_in_the_old_brazilian_form_join_the_same_customer(api, live_server_url, fake_http):
    sms = create(api, "twilio_sms", "SMS Loja", twilio_config(fake_http.url))
    cloud = create(api, "whatsapp_cloud", "WhatsApp Cloud", {
        "phone_number_id": "100000000000002", "access_token": "t", "app_secret": META_SECRET,
        "api_base_url": fake_http.url})
    assert post_twilio(live_server_url, sms, fixture("twilio_sms_inbound.txt")).status_code == 200
    body = json.loads(fixture("whatsapp_cloud_text.json"))
    value = body["entry"][0]["changes"][0]["value"]
    value["contacts"][0]["wa_id"] = value["messages"][0]["from"] = "551199990001"  # no ninth digit
    assert post_meta(live_server_url, cloud, body).status_code == 200
    assert Customer.objects.count() == 1 and Identity.objects.get().address == CUSTOMER
