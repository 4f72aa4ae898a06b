"""Several people in one thread: the generated corpus over a real Dovecot, replies over a real aiosmtpd."""
import email
from email import policy

import pytest
from rest_framework.test import APIClient

from bench import email_corpus
from channels_adapters.email import imap
from channels_adapters.pipeline import process_event
from channels_adapters.types import RawRequest
from conversations.actions.errors import ActionError
from conversations.actions.inbound_events import record_raw_event
from conversations.actions.replies import send_reply
from conversations.models import Conversation, Identity, Message

from .conftest import fixture_bytes

pytestmark = pytest.mark.django_db(transaction=True)
CORPUS_SIZE = 250


def headers_of(raw):
    return email.message_from_bytes(raw, policy=policy.default)


def address_of(value):
    return value.addresses[0].addr_spec.lower()


@pytest.fixture
def corpus():
    return [headers_of(raw) for raw in email_corpus.generate(CORPUS_SIZE)], email_corpus.generate(CORPUS_SIZE)


@pytest.fixture
def channel(make_email_channel, imap_config, smtp_server, team):
    return make_email_channel(team=team, smtp_host="127.0.0.1", smtp_port=smtp_server.port, smtp_security="none",
                              **imap_config)


def thread_customers(mails):
    """Message-ID -> the address of the customer whose conversation it belongs in, as a person reading would say.

    A reply from someone else belongs in the thread of a mail it answers only when that mail was copied to them.
    """
    owner, copied, order = {}, {}, {}
    for number, mail in enumerate(mails):
        sender = address_of(mail["From"])
        refs = {mail["In-Reply-To"], *(mail["References"] or "").split()} - {None}
        answered = sorted((ref for ref in refs if ref in owner), key=order.get, reverse=True)
        owner[mail["Message-ID"]] = next(
            (owner[ref] for ref in answered if owner[ref] != sender and sender in copied[ref]), sender)
        copied[mail["Message-ID"]] = {a.addr_spec.lower() for a in mail["Cc"].addresses} if mail["Cc"] else set()
        order[mail["Message-ID"]] = number
    return owner


def test_the_corpus_threads_with_its_participants_over_imap(channel, dovecot, corpus, settings):
    mails, raws = corpus
    for raw in raws:
        dovecot.append(raw)
    assert imap.poll_channel(channel).imported == CORPUS_SIZE

    expected = thread_customers(mails)
    stored = {m.external_id: m for m in Message.objects.filter(direction=Message.Direction.INBOUND)
              .select_related("identity", "conversation__customer")}
    assert len(stored) == CORPUS_SIZE
    joined = strangers = 0
    for mail in mails:
        message = stored[mail["Message-ID"].strip("<>")]
        sender = address_of(mail["From"])
        assert message.identity.address == sender  # always their own identity
        owner_identity = Identity.objects.get(address=expected[mail["Message-ID"]])
        assert message.conversation.customer_id == owner_identity.customer_id, mail["Message-ID"]
        if message.is_from_participant:
            joined += 1
            line = Message.objects.get(conversation__customer=message.identity.customer,
                                       direction=Message.Direction.SYSTEM, metadata__message=message.pk)
            assert line.metadata["conversation"] == message.conversation_id
        elif sender.startswith("stranger") and mail["In-Reply-To"]:
            strangers += 1
    assert joined >= 10 and strangers >= 1  # the corpus holds both kinds; each landed where it belongs


def test_a_participants_reply_goes_to_the_customer_with_the_participant_in_cc(channel, dovecot, smtp_server,
                                                                             admin_user):
    dovecot.append(fixture_bytes("01_plain_first_message.eml").replace(
        b"To: ", b"Cc: Jo Colega <jo.colega@example.com>\nTo: ", 1))
    dovecot.append(colleague_reply())
    imap.poll_channel(channel)
    conversation = Conversation.objects.get(customer__identities__address="maria.teste@example.com")
    participant = conversation.messages.get(identity__address="jo.colega@example.com")
    assert participant.is_from_participant and participant.identity.customer.name == "Jo Colega"
    assert conversation.status == Conversation.Status.OPEN and conversation.waiting_since is not None
    own = Conversation.objects.get(customer=participant.identity.customer)
    assert own.status == Conversation.Status.RESOLVED and own.messages.get().direction == Message.Direction.SYSTEM

    reply = send_reply(conversation, admin_user, "Olá Maria e Jo, o pedido saiu hoje.")
    reply.refresh_from_db()
    assert reply.status == Message.Status.SENT and reply.identity.address == "maria.teste@example.com"
    (mail,) = smtp_server.script.received
    assert sorted(mail.rcpt_tos) == ["jo.colega@example.com", "maria.teste@example.com"]
    assert mail.message["To"] == "maria.teste@example.com" and mail.message["Cc"] == "jo.colega@example.com"
    assert mail.message["In-Reply-To"] == "<colega-0001@example.com>"

    send_reply(conversation, admin_user, "Só para a Maria.", cc=[])
    assert smtp_server.script.received[1].rcpt_tos == ["maria.teste@example.com"]
    assert "Cc" not in smtp_server.script.received[1].message
    with pytest.raises(ActionError):
        send_reply(conversation, admin_user, "Para um estranho.", cc=["someone@else.example"])
    assert Message.objects.filter(direction=Message.Direction.OUTBOUND).count() == 2


def colleague_reply(message_id="colega-0001@example.com", references="<first-0001@mail.example.com>",
                    authentication=""):
    return (f"{authentication}From: Jo Colega <jo.colega@example.com>\r\nTo: support@inbox.example.com\r\n"
            f"Cc: maria.teste@example.com\r\nSubject: Re: Pedido #1234 atrasado\r\n"
            f"Message-ID: <{message_id}>\r\nIn-Reply-To: {references.split()[-1]}\r\nReferences: {references}\r\n"
            f"Date: Tue, 2 Jun 2026 10:00:00 -0300\r\n\r\nEu também não recebi o meu.\r\n").encode()


def receive(channel, raw):
    event = record_raw_event(channel, RawRequest(body=raw, headers={}, content_type="message/rfc822"))
    process_event(event.pk)
    return Message.objects.filter(direction=Message.Direction.INBOUND).order_by("-id").first()


def test_a_reply_to_our_own_message_proves_the_participant(channel, smtp_server, admin_user):
    first = receive(channel, fixture_bytes("01_plain_first_message.eml"))
    ours = send_reply(first.conversation, admin_user, "Olá Maria")
    ours.refresh_from_db()
    forwarded_to = receive(channel, colleague_reply(message_id="family-1@example.com",
                                                    references=f"<{ours.external_id}>"))
    assert forwarded_to.conversation_id == first.conversation_id and forwarded_to.is_from_participant


@pytest.mark.parametrize("case", ["not addressed", "forged sender", "unknown reference"])
def test_an_unproven_claim_never_joins_the_thread(channel, case):
    first = receive(channel, fixture_bytes("01_plain_first_message.eml"))  # addressed to support only
    raw = {
        "not addressed": colleague_reply(),
        "forged sender": colleague_reply(authentication="Authentication-Results: mx.inbox.example.com; "
                                                        "spf=fail smtp.mailfrom=example.com; dmarc=fail\r\n"),
        "unknown reference": colleague_reply(references="<nobody-knows@example.com>"),
    }[case]
    if case == "forged sender":
        first.metadata["cc"] = ["jo.colega@example.com"]
        first.save(update_fields=["metadata"])
    claim = receive(channel, raw)
    assert claim.conversation_id != first.conversation_id and not claim.is_from_participant
    assert claim.conversation.customer == claim.identity.customer
    assert not Message.objects.filter(direction=Message.Direction.SYSTEM).exists()


def test_the_api_names_participants_and_takes_a_cc_choice(channel, smtp_server, admin_user):
    receive(channel, fixture_bytes("01_plain_first_message.eml").replace(
        b"To: ", b"Cc: Jo Colega <jo.colega@example.com>\nTo: ", 1))
    participant = receive(channel, colleague_reply())
    client = APIClient()
    client.force_authenticate(admin_user)
    url = f"/api/v1/conversations/{participant.conversation_id}/messages/"
    rows = client.get(url).json()["results"]
    assert [row["sender"] for row in rows if row["direction"] == "inbound"] == [
        {"kind": "email", "address": "maria.teste@example.com", "name": "Maria Teste", "participant": False},
        {"kind": "email", "address": "jo.colega@example.com", "name": "Jo Colega", "participant": True},
    ]
    refused = client.post(url, {"text": "Olá", "cc": ["intruder@evil.example"]}, format="json")
    assert refused.status_code == 400 and "cc" in refused.json()
    assert not Message.objects.filter(direction=Message.Direction.OUTBOUND).exists()
    sent = client.post(url, {"text": "Olá", "cc": []}, format="json")
    assert sent.status_code == 201
    assert smtp_server.script.received[0].rcpt_tos == ["maria.teste@example.com"]
