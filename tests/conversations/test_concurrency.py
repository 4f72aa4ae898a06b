"""Twenty first messages from one new address at once: one customer, one identity, one conversation."""
import threading

import pytest
from django.db import connection

from channels_adapters.types import InboundMessage, Sender
from conversations.actions.ingest import ingest_message
from conversations.models import Conversation, Customer, Identity, Message

from ..services import require_postgres

WRITERS = 20


@pytest.mark.django_db(transaction=True)
def test_concurrent_first_messages_make_one_customer(make_api_channel, team):
    require_postgres()
    channel = make_api_channel(team=team)
    barrier = threading.Barrier(WRITERS)
    errors = []

    def write(index):
        try:
            barrier.wait(timeout=10)
            ingest_message(channel, InboundMessage(
                external_id=f"concurrent-{index}", sender=Sender(kind="phone", address="+5511988887777"), text=f"#{index}"))
        except Exception as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(i,)) for i in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert Customer.objects.count() == 1
    assert Identity.objects.count() == 1
    assert Conversation.objects.count() == 1
    assert Message.objects.filter(direction=Message.Direction.INBOUND).count() == WRITERS


@pytest.mark.django_db(transaction=True)
def test_concurrent_copies_of_one_message_store_it_once(make_api_channel, team):
    require_postgres()
    channel = make_api_channel(team=team)
    barrier = threading.Barrier(10)
    errors = []

    def write():
        try:
            barrier.wait(timeout=10)
            ingest_message(channel, InboundMessage(
                external_id="same-id", sender=Sender(kind="phone", address="+5511988887777"), text="dup"))
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=write) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert Message.objects.filter(direction=Message.Direction.INBOUND).count() == 1
