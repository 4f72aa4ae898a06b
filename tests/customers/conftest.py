import itertools
from datetime import timedelta

import pytest
from django.utils import timezone

from channels_adapters.types import InboundMessage, Sender
from conversations.actions.ingest import ingest_message

_ids = itertools.count(1)


@pytest.fixture
def api_channel(make_api_channel, team):
    return make_api_channel(team=team)


@pytest.fixture
def write_in(api_channel, django_capture_on_commit_callbacks):
    """An inbound message from `address` (phone), as a channel delivers it, its after-commit work done:
    returns the customer."""
    def write(address="+5511999990001", text="Hello", kind="phone", channel=None):
        with django_capture_on_commit_callbacks(execute=True):
            result = ingest_message(channel or api_channel, InboundMessage(
                external_id=f"msg-{next(_ids)}", sender=Sender(kind=kind, address=address), text=text))
        return result.message.conversation.customer

    return write


@pytest.fixture
def admin_api(admin_user, client_for):
    return client_for(admin_user)


def event(name, event_id=None, email="maria@example.com", properties=None, days_ago=0, customer=None, now=None):
    """One event as an integrator posts it."""
    occurred = (now or timezone.now()) - timedelta(days=days_ago)
    return {
        "customer": customer or {"identity": {"kind": "email", "address": email}},
        "name": name,
        "properties": properties or {},
        "occurred_at": occurred.isoformat(),
        "event_id": event_id or f"evt-{next(_ids)}",
    }


def order_event(name, order_id, total="100.00", items=None, **kwargs):
    properties = {"order_id": order_id, "total": total, "currency": "BRL",
                  "items": items if items is not None else [{"sku": "SKU-1", "name": "Mug", "quantity": 1,
                                                             "price": total}]}
    return event(name, properties=properties, **kwargs)
