"""Delivery failure reasons are stored as a code and parameters and read in the reader's language."""
from django.test import Client
from django.utils import translation

from channels_adapters.twilio import errors as twilio_errors
from channels_adapters.types import InboundMessage, Sender
from conversations import failure_reasons
from conversations.actions.ingest import ingest_message
from conversations.actions.replies import mark_failed, send_reply
from conversations.failure_reasons import FailureReason, describe
from conversations.models import Message


def test_a_provider_code_is_stored_with_its_parameters_not_its_words(make_api_channel, admin_user):
    channel = make_api_channel()
    conversation = ingest_message(channel, InboundMessage("in-1", Sender("phone", "+5511988887777"), "Oi")).message.conversation
    reply = send_reply(conversation, admin_user, "Hello", channel=channel)
    mark_failed(reply.pk, twilio_errors.reason_for(21610).with_params(attempts=3))
    stored = Message.objects.values("failure_code", "failure_params").get(pk=reply.pk)
    assert stored == {"failure_code": "twilio.21610",
                      "failure_params": {"provider": "Twilio", "provider_code": "21610", "attempts": 3}}


def test_the_same_reason_reads_in_each_language():
    reason = twilio_errors.reason_for(21610, "Attempt to send to unsubscribed recipient").with_params(attempts=2)
    with translation.override("en"):
        assert str(reason) == ("Blocked: the customer replied STOP and unsubscribed from this number. "
                               "(Twilio: Attempt to send to unsubscribed recipient) [Twilio error 21610] "
                               "Gave up after 2 attempts.")
    with translation.override("pt-br"):
        assert str(reason).startswith("Bloqueado: o cliente respondeu STOP e cancelou a inscrição neste número.")
        assert "[erro 21610 do Twilio]" in str(reason) and "Desistiu após 2 tentativas." in str(reason)
    with translation.override("es"):
        assert str(reason).startswith("Bloqueado: el cliente respondió STOP y se dio de baja de este número.")


def test_the_console_shows_the_reason_in_the_agents_language(make_api_channel, make_agent, team):
    channel = make_api_channel(team=team)
    ana = make_agent("ana", teams=[team])
    ana.agent.language = "es"
    ana.agent.save()
    conversation = ingest_message(channel, InboundMessage("in-1", Sender("phone", "+5511988887777"), "Oi")).message.conversation
    reply = send_reply(conversation, ana, "Hola", channel=channel)
    mark_failed(reply.pk, FailureReason("email.smtp_refused_recipient", {"reply": "550 5.1.1 No such user"}))
    client = Client()
    client.force_login(ana)
    with translation.override("en"):  # the request activates Spanish; not for the tests after this one
        page = client.get(f"/conversations/{conversation.pk}/").content.decode()
    assert "El servidor SMTP rechazó al destinatario: 550 5.1.1 No such user" in page


def test_text_of_old_reasons_and_unknown_codes_still_read():
    assert describe(failure_reasons.PROVIDER_TEXT, {"text": "Number blocked"}) == "Number blocked"
    with translation.override("pt-br"):
        assert describe("gone.code", {}) == "O provedor informou uma falha."
    assert describe("", {}) == ""


def test_the_migration_keeps_reasons_stored_as_text(transactional_db):
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    before, after = [("conversations", "0006_merge_20261123_1425")], [("conversations", "0007_message_failure_code_params")]
    try:
        executor = MigrationExecutor(connection)
        executor.migrate(before)
        old = executor.loader.project_state(before).apps
        Channel, Customer = old.get_model("conversations", "Channel"), old.get_model("conversations", "Customer")
        conversation = old.get_model("conversations", "Conversation").objects.create(customer=Customer.objects.create())
        message = old.get_model("conversations", "Message").objects.create(
            conversation=conversation, channel=Channel.objects.create(kind="api", name="API"), direction="outbound",
            status="failed", failure_reason="Blocked: the customer replied STOP [Twilio error 21610]")

        executor = MigrationExecutor(connection)
        executor.migrate(after)
        migrated = executor.loader.project_state(after).apps.get_model("conversations", "Message").objects.get(
            pk=message.pk)
        assert (migrated.failure_code, describe(migrated.failure_code, migrated.failure_params)) == (
            "provider_text", "Blocked: the customer replied STOP [Twilio error 21610]")
    finally:  # back to every app's latest migration, for the tests after this one
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
