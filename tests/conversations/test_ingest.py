import pytest
from django.utils import timezone

from channels_adapters.types import InboundMessage, InboundStatus, Sender
from conversations.actions.assignment import update_conversation
from conversations.actions.ingest import UnknownOutboundMessage, apply_status, ingest_message
from conversations.addresses import InvalidAddress
from conversations.failure_reasons import provider_text
from conversations.models import Conversation, ConversationCycle, ConversationEvent, Customer, Identity, Message


def inbound(external_id, address, kind="phone", text="Oi", name="", reopens=True):
    return InboundMessage(external_id=external_id, sender=Sender(kind=kind, address=address, name=name), text=text,
                          reopens=reopens)


@pytest.fixture
def two_channels(make_api_channel, team):
    return make_api_channel("WhatsApp", team=team), make_api_channel("SMS", team=team)


def test_same_phone_on_two_channels_is_one_customer_and_one_conversation(two_channels):
    whatsapp, sms = two_channels
    first = ingest_message(whatsapp, inbound("wa-1", "whatsapp:+5511999990001", name="Maria"))
    second = ingest_message(sms, inbound("sms-1", "+55 (11) 99999-0001"))

    assert Customer.objects.count() == Identity.objects.count() == Conversation.objects.count() == 1
    conversation = Conversation.objects.get()
    assert first.message.conversation_id == second.message.conversation_id == conversation.pk
    assert conversation.customer.name == "Maria"
    assert conversation.last_inbound_channel == sms
    assert conversation.team == whatsapp.team
    switch = Message.objects.get(direction=Message.Direction.SYSTEM)
    assert switch.metadata["from_channel"] == str(whatsapp.pk) and switch.metadata["to_channel"] == str(sms.pk)
    assert ConversationEvent.objects.filter(kind=ConversationEvent.Kind.CHANNEL_SWITCHED).count() == 1


def test_the_same_provider_message_twice_is_stored_once(two_channels):
    whatsapp, _ = two_channels
    assert ingest_message(whatsapp, inbound("wa-1", "+5511999990001")).created
    again = ingest_message(whatsapp, inbound("wa-1", "+5511999990001"))
    assert not again.created
    assert Message.objects.filter(direction=Message.Direction.INBOUND).count() == 1


def test_the_same_external_id_on_another_channel_is_another_message(two_channels):
    whatsapp, sms = two_channels
    ingest_message(whatsapp, inbound("id-1", "+5511999990001"))
    ingest_message(sms, inbound("id-1", "+5511999990001"))
    assert Message.objects.filter(direction=Message.Direction.INBOUND).count() == 2


def test_a_new_message_reopens_a_resolved_conversation_and_starts_a_new_cycle(two_channels, admin_user):
    whatsapp, _ = two_channels
    conversation = ingest_message(whatsapp, inbound("wa-1", "+5511999990001")).message.conversation
    update_conversation(conversation, admin_user, status=Conversation.Status.RESOLVED)
    conversation.refresh_from_db()
    assert conversation.status == Conversation.Status.RESOLVED and conversation.waiting_since is None

    ingest_message(whatsapp, inbound("wa-2", "+5511999990001", text="Still waiting"))
    conversation.refresh_from_db()
    assert conversation.status == Conversation.Status.OPEN
    assert conversation.waiting_since is not None
    cycles = list(ConversationCycle.objects.filter(conversation=conversation))
    assert len(cycles) == 2 and cycles[0].resolved_at and cycles[1].resolved_at is None
    assert ConversationEvent.objects.filter(conversation=conversation, kind=ConversationEvent.Kind.REOPENED).exists()


def test_an_auto_reply_is_stored_but_does_not_reopen(two_channels, admin_user):
    whatsapp, _ = two_channels
    conversation = ingest_message(whatsapp, inbound("wa-1", "+5511999990001")).message.conversation
    update_conversation(conversation, admin_user, status=Conversation.Status.RESOLVED)
    ingest_message(whatsapp, inbound("wa-2", "+5511999990001", text="Out of office", reopens=False))
    conversation.refresh_from_db()
    assert conversation.status == Conversation.Status.RESOLVED
    assert conversation.messages.filter(text="Out of office").exists()


def test_an_unreadable_address_is_refused_and_stores_nothing(two_channels):
    whatsapp, _ = two_channels
    with pytest.raises(InvalidAddress):
        ingest_message(whatsapp, inbound("wa-1", "not a number"))
    assert not Customer.objects.exists() and not Message.objects.exists()


def _outbound(conversation, channel, external_id):
    return Message.objects.create(conversation=conversation, channel=channel, direction=Message.Direction.OUTBOUND,
                                  status=Message.Status.SENT, external_id=external_id, text="Hi")


def test_statuses_only_move_forward(two_channels):
    whatsapp, _ = two_channels
    conversation = ingest_message(whatsapp, inbound("wa-1", "+5511999990001")).message.conversation
    message = _outbound(conversation, whatsapp, "out-1")
    for status in ("read", "delivered", "sent"):  # out of order: the late ones change nothing
        apply_status(whatsapp, InboundStatus(external_id="out-1", status=status, at=timezone.now()))
    message.refresh_from_db()
    assert message.status == Message.Status.READ
    apply_status(whatsapp, InboundStatus(external_id="out-1", status="failed", reason=provider_text("late failure")))
    message.refresh_from_db()
    assert message.status == Message.Status.READ


def test_a_failure_status_keeps_its_reason(two_channels):
    whatsapp, _ = two_channels
    conversation = ingest_message(whatsapp, inbound("wa-1", "+5511999990001")).message.conversation
    message = _outbound(conversation, whatsapp, "out-1")
    apply_status(whatsapp, InboundStatus(external_id="out-1", status="failed", reason=provider_text("Number blocked")))
    message.refresh_from_db()
    assert (message.status, message.failure_reason) == (Message.Status.FAILED, "Number blocked")


def test_a_status_for_an_unknown_message_raises_so_the_event_is_retried(two_channels):
    whatsapp, _ = two_channels
    with pytest.raises(UnknownOutboundMessage):
        apply_status(whatsapp, InboundStatus(external_id="nope", status="delivered"))


def test_snoozed_conversations_wake_up_when_their_time_comes(two_channels, admin_user):
    from datetime import timedelta

    from conversations.actions.assignment import wake_snoozed

    whatsapp, _ = two_channels
    conversation = ingest_message(whatsapp, inbound("wa-1", "+5511999990001")).message.conversation
    later = timezone.now() + timedelta(hours=1)
    update_conversation(conversation, admin_user, status=Conversation.Status.SNOOZED, snoozed_until=later)
    assert wake_snoozed() == 0
    assert wake_snoozed(now=later + timedelta(seconds=1)) == 1
    conversation.refresh_from_db()
    assert conversation.status == Conversation.Status.OPEN and conversation.snoozed_until is None
