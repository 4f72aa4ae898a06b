"""Merging two customers into one conversation: recorded, reversible, suggested when an address matches."""
import pytest

from channels_adapters.types import InboundMessage, Sender
from conversations.actions.assignment import update_conversation
from conversations.actions.customers import update_customer
from conversations.actions.errors import ActionError
from conversations.actions.ingest import ingest_message
from conversations.actions.merge import merge_customers, merge_suggestions, undo_merge
from conversations.models import Conversation, ConversationEvent, Customer, CustomerMerge, Identity, Message


@pytest.fixture
def pair(make_api_channel, team, make_agent):
    channel = make_api_channel("Shop", team=team)
    maria_phone = ingest_message(channel, InboundMessage("p-1", Sender("phone", "+5511999990001", "Maria"), "Oi"))
    maria_mail = ingest_message(channel, InboundMessage("e-1", Sender("email", "maria@example.com", "Maria O."),
                                                        "Olá por e-mail"))
    return {
        "channel": channel,
        "agent": make_agent("ana", teams=[team]),
        "target": maria_phone.message.conversation.customer,
        "source": maria_mail.message.conversation.customer,
    }


def test_a_shared_email_in_the_attributes_is_suggested(pair):
    assert list(merge_suggestions(pair["target"])) == []
    update_customer(pair["target"], attributes={"email": "Maria@Example.com"})
    assert list(merge_suggestions(pair["target"])) == [pair["source"]]
    assert list(merge_suggestions(pair["source"])) == [pair["target"]]


def test_merge_moves_identities_and_messages_and_records_who(pair):
    source, target, agent = pair["source"], pair["target"], pair["agent"]
    update_conversation(source.conversation, agent, labels=["vip"])
    record = merge_customers(source, target, agent)

    target_conversation = Conversation.objects.get(customer=target)
    assert set(Identity.objects.filter(customer=target).values_list("address", flat=True)) == {
        "+5511999990001", "maria@example.com"}
    texts = list(target_conversation.messages.exclude(direction="system").values_list("text", flat=True))
    assert texts == ["Oi", "Olá por e-mail"]
    assert target_conversation.messages.filter(direction="system", metadata__event="merged").exists()
    assert list(target_conversation.labels.values_list("name", flat=True)) == ["vip"]
    assert target_conversation.last_message.text == "Olá por e-mail"
    assert Customer.objects.get(pk=source.pk).merged_into == target
    assert Conversation.objects.get(customer=source).status == Conversation.Status.RESOLVED
    assert (record.merged_by, sorted(record.source_state["labels_added"])) == (agent, ["vip"])
    assert ConversationEvent.objects.filter(kind="merged", actor=agent).count() == 2

    # The next email lands in the kept conversation.
    later = ingest_message(pair["channel"], InboundMessage("e-2", Sender("email", "maria@example.com"), "E agora?"))
    assert later.message.conversation == target_conversation


def test_undo_gives_everything_back_including_what_came_since(pair):
    source, target, agent = pair["source"], pair["target"], pair["agent"]
    record = merge_customers(source, target, agent)
    ingest_message(pair["channel"], InboundMessage("e-2", Sender("email", "maria@example.com"), "Depois do merge"))

    undo_merge(record, agent)

    source_conversation = Conversation.objects.get(customer=source)
    assert list(source_conversation.messages.exclude(direction="system").values_list("text", flat=True)) == [
        "Olá por e-mail", "Depois do merge"]
    assert list(Identity.objects.filter(customer=source).values_list("address", flat=True)) == ["maria@example.com"]
    assert source_conversation.status == Conversation.Status.OPEN
    assert Customer.objects.get(pk=source.pk).merged_into is None
    target_texts = Conversation.objects.get(customer=target).messages.exclude(direction="system")
    assert list(target_texts.values_list("text", flat=True)) == ["Oi"]
    record.refresh_from_db()
    assert (record.undone_by, record.undone_at is not None) == (agent, True)
    with pytest.raises(ActionError):
        undo_merge(record, agent)


def test_a_customer_is_not_merged_twice_nor_into_itself(pair):
    with pytest.raises(ActionError):
        merge_customers(pair["target"], pair["target"], pair["agent"])
    merge_customers(pair["source"], pair["target"], pair["agent"])
    with pytest.raises(ActionError):
        merge_customers(pair["source"], pair["target"], pair["agent"])
    assert CustomerMerge.objects.count() == 1
    assert Message.objects.filter(direction="system", metadata__event="merged").count() == 1
