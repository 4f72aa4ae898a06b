"""Storing one event and keeping its per-customer counter: shared by the events API and the journey."""
from django.db import IntegrityError, transaction
from django.db.models import F
from django.db.models.functions import Greatest, Least
from django.utils import timezone

from ..models import CustomerEvent, CustomerEventCounter


def count_event(customer_id, name, occurred_at):
    """count/first/last per customer and event name, kept as events arrive (in any order)."""
    updated = CustomerEventCounter.objects.filter(customer_id=customer_id, name=name).update(
        count=F("count") + 1, first_at=Least(F("first_at"), occurred_at), last_at=Greatest(F("last_at"), occurred_at))
    if updated:
        return
    try:
        with transaction.atomic():
            CustomerEventCounter.objects.create(customer_id=customer_id, name=name, count=1, first_at=occurred_at,
                                                last_at=occurred_at)
    except IntegrityError:
        count_event(customer_id, name, occurred_at)


def store_event(customer, name, properties, occurred_at, source, event_id, received_at=None):
    """Insert one event and count it; None when (source, event_id) is already stored."""
    try:
        with transaction.atomic():
            event = CustomerEvent.objects.create(
                customer=customer, name=name, properties=properties, occurred_at=occurred_at,
                received_at=received_at or timezone.now(), source=source, event_id=event_id)
    except IntegrityError:
        return None
    count_event(customer.pk, name, occurred_at)
    return event
