"""Reply windows, templates, attachments and length limits, enforced by send_reply from the channel kind's rules."""
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from channels_adapters.setup import create_channel
from channels_adapters.types import InboundMessage, Sender
from conversations.actions.customers import add_identity
from conversations.actions.errors import ActionError
from conversations.actions.ingest import ingest_message
from conversations.actions.replies import ReplyWindow, reply_window, send_reply, unavailable_reason
from conversations.models import Message

CUSTOMER = "+5511999990001"
TWILIO = {"account_sid": "AC" + "0" * 32, "auth_token": "token", "from_number": "+15005550006",
          "api_base_url": "http://127.0.0.1:9"}
TEMPLATES = [
    {"name": "order_update", "language": "pt_BR", "variables": ["1", "2"], "body": "Olá {{1}}, pedido {{2}} enviado.",
     "content_sid": "HX" + "a" * 32},
    {"name": "order_update", "language": "en", "variables": ["1", "2"], "body": "Hi {{1}}, order {{2}} shipped.",
     "content_sid": "HX" + "b" * 32},
    {"name": "follow_up", "language": "pt_BR", "body": "Ainda podemos ajudar?", "content_sid": "HX" + "c" * 32},
]


@pytest.fixture
def whatsapp(db, team):
    return create_channel("twilio_whatsapp", "WhatsApp Loja", {**TWILIO, "templates": TEMPLATES}, team=team)


@pytest.fixture
def sms(db, team):
    return create_channel("twilio_sms", "SMS Loja", TWILIO, team=team)


@pytest.fixture
def messenger(db, team):
    return create_channel("messenger", "Página", {"page_id": "100000000000010", "page_access_token": "t",
                                                  "app_secret": "s"}, team=team)


def customer_wrote(channel, hours_ago, address=CUSTOMER, kind="phone", external_id="in-1"):
    message = ingest_message(channel, InboundMessage(external_id, Sender(kind, address, "Maria"), "Oi",
                                                     sent_at=timezone.now() - timedelta(hours=hours_ago))).message
    return message.conversation


@pytest.mark.parametrize("hours_ago", [0, 23.98])
def test_free_form_whatsapp_replies_go_out_inside_24_hours(whatsapp, admin_user, hours_ago):
    conversation = customer_wrote(whatsapp, hours_ago)
    assert send_reply(conversation, admin_user, "Olá!").status == Message.Status.QUEUED


def test_past_24_hours_whatsapp_wants_a_template_and_says_which(whatsapp, admin_user):
    conversation = customer_wrote(whatsapp, 24.02)
    with pytest.raises(ActionError) as refused:
        send_reply(conversation, admin_user, "Olá!")
    assert refused.value.field == "template"
    assert "within 24 hours" in refused.value.message and "follow_up, order_update" in refused.value.message
    assert "1 day" in refused.value.message  # how long ago the customer wrote
    assert not Message.objects.filter(direction=Message.Direction.OUTBOUND).exists()

    message = send_reply(conversation, admin_user, template={"name": "order_update", "language": "pt_BR",
                                                             "variables": {"1": "Maria", "2": "4512"}})
    assert message.text == "Olá Maria, pedido 4512 enviado."
    assert message.metadata["template"] == {"name": "order_update", "language": "pt_BR",
                                            "variables": {"1": "Maria", "2": "4512"}}


@pytest.mark.parametrize("choice, error", [
    ({"name": "nope"}, "has no approved template 'nope'; it has: follow_up (pt_BR), order_update (en)"),
    ({"name": "order_update", "variables": {"1": "Maria", "2": "1"}}, "several languages (en, pt_BR)"),
    ({"name": "order_update", "language": "en", "variables": {"1": "Maria"}}, "missing 2"),
    ({"name": "follow_up", "variables": {"x": "1"}}, "unknown x"),
    ({"name": ""}, "chosen by its name"),
])
def test_a_wrong_template_choice_is_explained(whatsapp, admin_user, choice, error):
    conversation = customer_wrote(whatsapp, 30)
    with pytest.raises(ActionError) as refused:
        send_reply(conversation, admin_user, template=choice)
    assert error in refused.value.message and refused.value.field == "template"


def test_a_template_brings_its_own_text(whatsapp, admin_user):
    conversation = customer_wrote(whatsapp, 1)
    with pytest.raises(ActionError, match="own approved text"):
        send_reply(conversation, admin_user, "my text", template={"name": "follow_up"})


def test_without_configured_templates_the_reason_says_how_to_add_them(team, admin_user):
    bare = create_channel("twilio_whatsapp", "WhatsApp sem modelos", TWILIO, team=team)
    conversation = customer_wrote(bare, 25)
    assert "has none configured (add them to its config under templates)" in unavailable_reason(
        conversation.customer, bare)


def test_a_customer_known_by_phone_can_be_reached_on_whatsapp_with_a_template_only(sms, whatsapp, admin_user):
    conversation = customer_wrote(sms, 0)
    assert "has not written on WhatsApp Loja yet" in unavailable_reason(conversation.customer, whatsapp)
    message = send_reply(conversation, admin_user, channel=whatsapp, template={"name": "follow_up"})
    assert message.identity.address == CUSTOMER and message.channel == whatsapp


def test_sms_has_no_window(sms, admin_user):
    conversation = customer_wrote(sms, 24 * 30)
    assert reply_window(conversation.customer, sms).state == ReplyWindow.NONE
    assert send_reply(conversation, admin_user, "Olá de novo").status == Message.Status.QUEUED


@pytest.mark.parametrize("hours_ago, state, human_agent", [(23.9, ReplyWindow.OPEN, False),
                                                            (24.1, ReplyWindow.HUMAN_AGENT, True),
                                                            (7 * 24 - 0.1, ReplyWindow.HUMAN_AGENT, True)])
def test_messenger_allows_a_human_agent_for_7_days(messenger, admin_user, hours_ago, state, human_agent):
    conversation = customer_wrote(messenger, hours_ago, address="2000000000000001", kind="messenger")
    window = reply_window(conversation.customer, messenger)
    assert window.state == state
    assert window.closes_at - window.last_inbound_at == timedelta(hours=24)
    assert window.human_agent_until - window.last_inbound_at == timedelta(days=7)
    message = send_reply(conversation, admin_user, "Hello")
    assert message.metadata.get("human_agent", False) is human_agent


def test_messenger_refuses_after_7_days(messenger, admin_user):
    conversation = customer_wrote(messenger, 7 * 24 + 0.1, address="2000000000000001", kind="messenger")
    with pytest.raises(ActionError) as refused:
        send_reply(conversation, admin_user, "Hello")
    assert "up to 7 days when a human agent answers" in refused.value.message and refused.value.field == "channel"
    with pytest.raises(ActionError):
        send_reply(conversation, admin_user, template={"name": "anything"})


def test_a_late_processed_message_does_not_extend_the_window(whatsapp, admin_user):
    # Received now (created_at), but the provider says the customer wrote 25 hours ago.
    conversation = customer_wrote(whatsapp, 25)
    assert reply_window(conversation.customer, whatsapp).state == ReplyWindow.CLOSED


def test_long_texts_are_refused_with_the_channels_limit(sms, admin_user):
    conversation = customer_wrote(sms, 0)
    with pytest.raises(ActionError) as refused:
        send_reply(conversation, admin_user, "x" * 1601)
    assert refused.value.message == ("SMS Loja accepts at most 1600 characters per message; this one has 1601. "
                                     "Shorten it or send it in several messages.")


def test_attachments_follow_the_channels_limits(whatsapp, sms, make_api_channel, admin_user):
    conversation = customer_wrote(whatsapp, 0)
    add_identity(conversation.customer, "phone", CUSTOMER)

    def upload(name="a.jpg", content_type="image/jpeg", size=10):
        return SimpleUploadedFile(name, b"x" * size, content_type=content_type)

    with pytest.raises(ActionError, match="at most 1 attachment"):
        send_reply(conversation, admin_user, "", attachments=[upload(), upload("b.jpg")])
    with pytest.raises(ActionError, match="x.html: this type of file cannot be sent"):
        send_reply(conversation, admin_user, "", attachments=[upload("x.html", "text/html")])
    with pytest.raises(ActionError, match="at most 1024 characters of text"):
        send_reply(conversation, admin_user, "y" * 1025, attachments=[upload()])
    message = send_reply(conversation, admin_user, "", attachments=[upload("../../etc/foto 1.jpg")])
    attachment = message.attachments.get()
    assert (attachment.filename, attachment.content_type, attachment.size) == ("foto_1.jpg", "image/jpeg", 10)
    assert send_reply(conversation, admin_user, "three", channel=sms,
                      attachments=[upload(), upload("b.png", "image/png"), upload("c.pdf", "application/pdf")])

    api = make_api_channel("Parceiro")
    ingest_message(api, InboundMessage("api-1", Sender("phone", CUSTOMER), "Oi"))
    with pytest.raises(ActionError, match="Parceiro cannot send files"):
        send_reply(conversation, admin_user, "", channel=api, attachments=[upload()])
