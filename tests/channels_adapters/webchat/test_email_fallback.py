"""A reply the visitor did not see in the widget goes out by email, in the same conversation."""
import pytest
from django.utils import translation

from channels_adapters.base import ChannelAdapter
from channels_adapters.registry import ADAPTERS
from channels_adapters.setup import create_channel
from channels_adapters.types import Capabilities, SendResult
from channels_adapters.webchat import tokens
from channels_adapters.webchat.realtime import mark_connected, visitor_group
from channels_adapters.webchat.visitors import accept_message, start_session, webchat_channel
from conversations import channel_kinds
from conversations.actions.replies import send_reply
from conversations.models import Conversation, Message


class RecordingEmailAdapter(ChannelAdapter):
    """Stands in for the email channel (another package): records what it was asked to send."""

    kind = "test_email"
    label = "Email"
    identity_kinds = frozenset({"email"})
    reaches_any_identity = True
    capabilities = Capabilities(html=True)
    sent = []

    def send(self, outbound):
        self.sent.append(outbound)
        return SendResult(ok=True, external_id=f"<{outbound.message_id}@test>")


@pytest.fixture
def email_channel(monkeypatch, team):
    RecordingEmailAdapter.sent = []
    monkeypatch.setitem(ADAPTERS, RecordingEmailAdapter.kind, RecordingEmailAdapter)
    monkeypatch.setitem(channel_kinds._RULES, RecordingEmailAdapter.kind, channel_kinds.ChannelKindRules(
        label="Email", identity_kinds=RecordingEmailAdapter.identity_kinds, reaches_any_identity=True))
    return create_channel(RecordingEmailAdapter.kind, "Support email", {}, team=team)


def _offline_visitor_writes(channel, email="away@example.com", language="en"):
    widget = webchat_channel(channel.pk)
    visitor = start_session(widget, None, None, {"email": email}, language)
    accept_message(widget, visitor, {"client_id": "client-0001", "text": "Are you there?"})
    return visitor


def test_an_unseen_reply_goes_by_email_to_the_address_left_offline(webchat, email_channel, admin_user,
                                                                   django_capture_on_commit_callbacks):
    _offline_visitor_writes(webchat)
    conversation = Conversation.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        reply = send_reply(conversation, admin_user, "We are back: your order ships today.")
    reply.refresh_from_db()
    assert reply.status == Message.Status.SENT
    [emailed] = RecordingEmailAdapter.sent
    assert (emailed.to, emailed.to_kind) == ("away@example.com", "email")
    assert emailed.text == ("You wrote to us on our site's chat and left before we answered. Here is our answer:"
                            "\n\nWe are back: your order ships today.")
    copy = Message.objects.get(channel=email_channel)
    assert copy.conversation_id == conversation.pk
    assert copy.metadata == {"email_fallback_for": reply.pk, "subject": "Our answer to your chat message"}


def test_the_email_is_written_in_the_customers_language_not_the_agents(webchat, email_channel, make_agent, team,
                                                                       django_capture_on_commit_callbacks):
    _offline_visitor_writes(webchat, language="pt-BR")
    conversation = Conversation.objects.select_related("customer").get()
    assert conversation.customer.language == "pt-br"
    agent = make_agent("lucia", teams=[team])
    with translation.override("es"), django_capture_on_commit_callbacks(execute=True):
        send_reply(conversation, agent, "Seu pedido sai hoje.")
    [emailed] = RecordingEmailAdapter.sent
    assert emailed.text.startswith("Você escreveu no chat do nosso site") and emailed.text.endswith("Seu pedido sai hoje.")
    assert emailed.metadata["subject"] == "Nossa resposta à sua mensagem no chat"


def test_a_reply_on_screen_is_not_emailed(webchat, email_channel, admin_user, django_capture_on_commit_callbacks):
    visitor = _offline_visitor_writes(webchat)
    mark_connected(visitor_group(webchat.pk, *visitor.identity), "a-widget-connection")
    with django_capture_on_commit_callbacks(execute=True):
        send_reply(Conversation.objects.get(), admin_user, "Hi!")
    assert RecordingEmailAdapter.sent == []


def test_without_an_email_address_the_reply_waits_in_the_widget(webchat, email_channel, admin_user,
                                                                django_capture_on_commit_callbacks):
    widget = webchat_channel(webchat.pk)
    accept_message(widget, tokens.new_visitor(webchat.pk), {"client_id": "client-0001", "text": "Hello"})
    with django_capture_on_commit_callbacks(execute=True):
        reply = send_reply(Conversation.objects.get(), admin_user, "Hi!")
    reply.refresh_from_db()
    assert reply.status == Message.Status.SENT and RecordingEmailAdapter.sent == []
