"""Two workers drain one queue of 200 conversations at once: none assigned twice, nobody over capacity."""
import threading
from collections import Counter

import pytest
from django.core.cache import cache
from django.db import connection
from django.utils import timezone

from conversations.actions import presence
from conversations.models import Channel, Conversation, Customer
from routing.actions import queue
from routing.models import AssignmentPolicy, AssignmentRecord, CapacityRule, QueueEntry

from ..services import require_postgres

CONVERSATIONS = 200
AGENTS = 4
CAPACITY = 40  # 160 places for 200 conversations: 40 must stay queued
WORKERS = 2


@pytest.mark.django_db(transaction=True)
def test_two_workers_never_double_assign_nor_overrun_capacity(make_agent, team):
    require_postgres()
    cache.clear()
    AssignmentPolicy.objects.create(team=team, mode=AssignmentPolicy.Mode.LEAST_LOADED)
    CapacityRule.objects.create(team=team, channel_kind="webchat", max_active=CAPACITY)
    channel = Channel.objects.create(kind="webchat", name="Site chat", team=team)
    agents = [make_agent(f"agent{n}", teams=[team]) for n in range(AGENTS)]
    for agent in agents:
        presence.heartbeat(presence.describe(agent), presence.ONLINE)
    now = timezone.now()
    customers = Customer.objects.bulk_create(Customer(name=f"C{n}") for n in range(CONVERSATIONS))
    conversations = Conversation.objects.bulk_create(
        Conversation(customer=customer, team=team, last_inbound_channel=channel, last_message_at=now,
                     waiting_since=now)
        for customer in customers)
    QueueEntry.objects.bulk_create(QueueEntry(conversation=c, team=team, reason="new") for c in conversations)
    barrier = threading.Barrier(WORKERS)
    errors, assigned = [], []

    def worker():
        try:
            barrier.wait(timeout=10)
            assigned.append(queue.run_queue(team.pk))
        except Exception as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)

    assert errors == []
    assert sum(assigned) == AGENTS * CAPACITY
    assert min(assigned) > 0, "both workers assigned: they really ran side by side"
    records = AssignmentRecord.objects.filter(kind="auto")
    per_conversation = Counter(records.values_list("conversation_id", flat=True))
    assert len(per_conversation) == AGENTS * CAPACITY and set(per_conversation.values()) == {1}
    per_agent = Counter(Conversation.objects.filter(assignee__isnull=False).values_list("assignee_id", flat=True))
    assert per_agent == {agent.pk: CAPACITY for agent in agents}
    assert QueueEntry.objects.count() == CONVERSATIONS - AGENTS * CAPACITY
    assert not Conversation.objects.filter(assignee__isnull=False, queue_entry__isnull=False).exists()
