"""WhatsApp Cloud API: inbound fixtures over HTTP, media by id, statuses, the send API and its errors."""
import json
from datetime import timedelta

import pytest
from django.utils import timezone

from channels_adapters.setup import create_channel
from conversations.actions.errors import ActionError
from conversations.actions.replies import send_reply
from conversations.models import Attachment, Conversation, Message, RawInboundEvent
from tests.fake_http import ScriptedResponse

from ..providers import CUSTOMER, META_SECRET, fixture, post_meta

pytestmark = pytest.mark.django_db(transaction=True)
PHONE_NUMBER_ID = "100000000000002"
OUR_WAMID = "wamid.HBgNNTUxMTk5OTk5MDAwMRUCABEYEkZBS0VfT1VUQk9VTkRfMDAwMQA="
TEMPLATE = {"name": "order_update", "language": "pt_BR", "variables": ["name", "order"],
            "body": "Olá {{name}}, seu pedido {{order}} foi enviado."}


@pytest.fixture
def channel(team, fake_http):
    return create_channel("whatsapp_cloud", "WhatsApp Cloud", {
        "phone_number_id": PHONE_NUMBER_ID, "access_token": "cloud-token", "app_secret": META_SECRET,
        "api_base_url": fake_http.url, "templates": [TEMPLATE],
    }, team=team)


@pytest.fixture
def conversation(live_server_url, channel):
    assert post_meta(live_server_url, channel, fixture("whatsapp_cloud_text.json")).status_code == 200
    # The window counts from the provider's timestamp: the fixture's is a fixed day, make it "just now".
    Message.objects.update(sent_at=timezone.now())
    return Conversation.objects.get()


def accepted(wamid):
    return ScriptedResponse(200, {"messaging_product": "whatsapp", "contacts": [{"input": "5511999990001",
                                  "wa_id": "5511999990001"}], "messages": [{"id": wamid}]})


def graph_error(status, code, message="", **headers):
    return ScriptedResponse(status, {"error": {"message": message or f"error {code}", "type": "OAuthException",
                                               "code": code, "fbtrace_id": "Afake"}}, headers=headers)


def text_change(**message):
    return {"object": "whatsapp_business_account", "entry": [{"id": "1", "changes": [{"field": "messages", "value": {
        "messaging_product": "whatsapp", "metadata": {"phone_number_id": PHONE_NUMBER_ID},
        "contacts": [{"profile": {"name": "Maria Teste"}, "wa_id": "5511999990001"}],
        "messages": [{"from": "5511999990001", "timestamp": "1768221000", **message}]}}]}]}


def status_change(wamid, status, **extra):
    return {"object": "whatsapp_business_account", "entry": [{"id": "1", "changes": [{"field": "messages", "value": {
        "messaging_product": "whatsapp", "metadata": {"phone_number_id": PHONE_NUMBER_ID},
        "statuses": [{"id": wamid, "status": status, "timestamp": "1768221300", "recipient_id": "5511999990001",
                      **extra}]}}]}]}


def test_the_text_fixture_is_one_message_with_the_profile_name(conversation):
    message = Message.objects.get(direction=Message.Direction.INBOUND)
    assert message.text == "Olá, meu pedido #1234 não chegou. Podem ajudar?"
    assert message.identity.address == CUSTOMER and conversation.customer.name == "Maria Teste"
    assert message.external_id.startswith("wamid.")


def test_the_providers_timestamp_is_kept(live_server_url, channel):
    assert post_meta(live_server_url, channel, fixture("whatsapp_cloud_text.json")).status_code == 200
    assert Message.objects.get().sent_at.timestamp() == 1768221000


def test_a_duplicate_is_stored_once(live_server_url, channel, conversation):
    assert post_meta(live_server_url, channel, fixture("whatsapp_cloud_text.json")).status_code == 200
    assert RawInboundEvent.objects.count() == 2 and Message.objects.count() == 1


def test_another_phone_number_of_the_same_app_is_not_ours(live_server_url, channel):
    body = json.loads(fixture("whatsapp_cloud_text.json"))
    body["entry"][0]["changes"][0]["value"]["metadata"]["phone_number_id"] = "999999999"
    assert post_meta(live_server_url, channel, body).status_code == 200
    assert RawInboundEvent.objects.get().state == "processed" and not Message.objects.exists()


def test_the_image_is_fetched_by_media_id_with_the_bearer_token(live_server_url, channel, fake_http):
    fake_http.routes["/v22.0/1000000000000003"] = ScriptedResponse(200, {
        "url": fake_http.url + "/lookaside/whatsapp_business/attachments/?mid=3", "mime_type": "image/jpeg",
        "file_size": 11, "id": "1000000000000003", "messaging_product": "whatsapp"})
    fake_http.routes["/lookaside/whatsapp_business/attachments/"] = ScriptedResponse(
        200, b"jpeg-bytes!", content_type="image/jpeg")
    assert post_meta(live_server_url, channel, fixture("whatsapp_cloud_image.json")).status_code == 200

    message = Message.objects.get()
    assert message.text == "Produto chegou quebrado"
    attachment = message.attachments.get()
    assert attachment.source_media_id == "1000000000000003"
    assert attachment.file.read() == b"jpeg-bytes!" and attachment.content_type == "image/jpeg"
    assert [r.headers["Authorization"] for r in fake_http.requests] == ["Bearer cloud-token"] * 2


def test_media_that_cannot_be_fetched_keeps_the_attachment_with_the_reason(live_server_url, channel, fake_http):
    fake_http.routes["/v22.0/1000000000000003"] = graph_error(404, 100, "Unsupported get request.")
    assert post_meta(live_server_url, channel, fixture("whatsapp_cloud_image.json")).status_code == 200
    attachment = Attachment.objects.get()
    assert not attachment.file and attachment.fetch_error == "The provider answered HTTP 404."
    assert attachment.message.text == "Produto chegou quebrado"


@pytest.mark.parametrize("message, expected_text, reopens", [
    ({"type": "location", "location": {"latitude": -23.55, "longitude": -46.63, "name": "Loja", "address": "Centro"}},
     "📍 Location: Loja, Centro", True),
    ({"type": "contacts", "contacts": [{"name": {"formatted_name": "João"}, "phones": [{"phone": "+55 11 5555"}]}]},
     "👤 Contact: João — +55 11 5555", True),
    ({"type": "reaction", "reaction": {"message_id": "wamid.ours", "emoji": "👍"}}, "Reacted 👍 to a message", False),
    ({"type": "unsupported", "errors": [{"code": 131051, "title": "Message type unknown"}]},
     "[WhatsApp message of type unsupported that OmniDesk cannot show] (Message type unknown)", True),
    ({"type": "button", "button": {"text": "Sim, confirmar", "payload": "yes"}}, "Sim, confirmar", True),
])
def test_other_message_types_become_readable(live_server_url, channel, message, expected_text, reopens):
    body = text_change(id="wamid.other", **message)
    assert post_meta(live_server_url, channel, body).status_code == 200
    stored = Message.objects.get(direction=Message.Direction.INBOUND)
    assert stored.text.startswith(expected_text)
    assert (stored.conversation.waiting_since is not None) == reopens


def test_a_reply_is_sent_as_the_cloud_api_expects(conversation, channel, fake_http, admin_user):
    fake_http.respond(accepted(OUR_WAMID))
    message = send_reply(conversation, admin_user, "Vamos verificar!")
    message.refresh_from_db()
    assert (message.status, message.external_id) == ("sent", OUR_WAMID)
    (request,) = fake_http.requests
    assert request.path == f"/v22.0/{PHONE_NUMBER_ID}/messages"
    assert request.headers["Authorization"] == "Bearer cloud-token"
    assert request.json() == {"messaging_product": "whatsapp", "recipient_type": "individual",
                              "to": "5511999990001", "type": "text", "text": {"body": "Vamos verificar!"}}


def test_a_template_is_sent_with_named_parameters(conversation, channel, fake_http, admin_user):
    fake_http.respond(accepted(OUR_WAMID))
    send_reply(conversation, admin_user, template={"name": "order_update",
                                                   "variables": {"name": "Maria", "order": "4512"}})
    assert fake_http.requests[0].json()["template"] == {
        "name": "order_update", "language": {"code": "pt_BR"},
        "components": [{"type": "body", "parameters": [
            {"type": "text", "text": "Maria", "parameter_name": "name"},
            {"type": "text", "text": "4512", "parameter_name": "order"}]}],
    }


@pytest.mark.parametrize("responses, status, attempts, reason", [
    ([graph_error(429, 130429, **{"Retry-After": "1"}), accepted(OUR_WAMID)], "sent", 2, ""),
    ([ScriptedResponse(502, "bad gateway", content_type="text/plain"), accepted(OUR_WAMID)], "sent", 2, ""),
    ([graph_error(400, 131026, "Message undeliverable")], "failed", 1, "Invalid number or recipient"),
    ([graph_error(400, 131047, "Re-engagement message")], "failed", 1, "Reply window closed"),
    ([graph_error(401, 190, "Error validating access token")], "failed", 1, "Channel credentials refused"),
    ([graph_error(400, 131056, "Pair rate limit hit"), accepted(OUR_WAMID)], "sent", 2, ""),
])
def test_errors_are_retried_or_explained(conversation, fake_http, admin_user, responses, status, attempts, reason):
    fake_http.respond(*responses)
    message = send_reply(conversation, admin_user, "Oi")
    message.refresh_from_db()
    assert (message.status, message.delivery_attempts) == (status, attempts)
    assert message.failure_reason.startswith(reason)


def test_statuses_move_forward_out_of_order_and_late_sent_never_wins(live_server_url, conversation, channel,
                                                                     fake_http, admin_user):
    fake_http.respond(accepted(OUR_WAMID))
    message = send_reply(conversation, admin_user, "Oi")
    for change in (status_change(OUR_WAMID, "read"), fixture("whatsapp_cloud_status_delivered.json"),
                   status_change(OUR_WAMID, "sent")):
        assert post_meta(live_server_url, channel, change).status_code == 200
    message.refresh_from_db()
    assert message.status == "read"


def test_a_failed_status_explains_the_window(live_server_url, conversation, channel, fake_http, admin_user):
    fake_http.respond(accepted("wamid.HBgNNTUxMTk5OTk5MDAwMRUCABEYEkZBS0VfT1VUQk9VTkRfMDAwMgA="))
    message = send_reply(conversation, admin_user, "Oi")
    assert post_meta(live_server_url, channel, fixture("whatsapp_cloud_status_failed.json")).status_code == 200
    message.refresh_from_db()
    assert message.status == "failed"
    assert message.failure_reason.startswith("Reply window closed") and "WhatsApp error 131047" in message.failure_reason


def test_the_window_closes_24_hours_after_the_customers_message(conversation, channel, fake_http, admin_user):
    inbound = Message.objects.get(direction=Message.Direction.INBOUND)
    Message.objects.filter(pk=inbound.pk).update(sent_at=timezone.now() - timedelta(hours=24, minutes=1))
    with pytest.raises(ActionError) as refused:
        send_reply(conversation, admin_user, "Oi")
    assert refused.value.field == "template" and "order_update" in refused.value.message
    fake_http.respond(accepted(OUR_WAMID))
    message = send_reply(conversation, admin_user, template={"name": "order_update",
                                                             "variables": {"name": "Maria", "order": "1"}})
    message.refresh_from_db()
    assert message.status == "sent" and fake_http.requests[0].json()["type"] == "template"
