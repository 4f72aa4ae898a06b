"""The one write path of customer events (the API, store connectors): idempotent on (source, event_id)."""
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from conversations.actions.ingest import find_or_create_identity
from conversations.models import Customer, Identity

from ..models import CustomerEvent
from ..signals import customers_changed
from ..validation import CREATING_KINDS, EventRefused, check_event
from . import journey, orders
from .counting import store_event

API_SOURCE = "api"


@dataclass(frozen=True)
class EventResult:
    event_id: str
    id: int
    customer: int
    created: bool


def check_batch(items, now=None, trusted_names=False):
    """Every item checked before anything is written: (checked events, {index: errors})."""
    checked, errors = [], {}
    for index, raw in enumerate(items):
        try:
            checked.append(check_event(raw, now, trusted_name=trusted_names))
        except EventRefused as exc:
            errors[index] = exc.errors
    if not errors:
        _check_customers(checked, errors)
    return checked, errors


def _check_customers(checked, errors):
    ids = {event.customer.customer_id for event in checked if event.customer.customer_id}
    known = set(Customer.objects.filter(pk__in=ids).values_list("pk", flat=True))
    for index, event in enumerate(checked):
        ref = event.customer
        if ref.customer_id and ref.customer_id not in known:
            errors[index] = {"customer.id": "no such customer."}
        elif ref.kind and ref.kind not in CREATING_KINDS and not Identity.objects.filter(
                kind=ref.kind, address=ref.address).exists():
            errors[index] = {"customer.identity": "unknown; only email, phone and external ids may create a "
                                                  "customer, other kinds must have written to us first."}


def _current(customer):
    """The customer an event about a merged customer belongs to now."""
    seen = set()
    while customer.merged_into_id and customer.pk not in seen:
        seen.add(customer.pk)
        customer = Customer.objects.get(pk=customer.merged_into_id)
    return customer


def _resolve(ref, now):
    if ref.customer_id:
        return _current(Customer.objects.get(pk=ref.customer_id))
    identity, _created = find_or_create_identity(ref.kind, ref.address, name=ref.name, verified=False, now=now)
    return identity.customer


@transaction.atomic
def record_events(checked, source=API_SOURCE, store=None):
    """Store checked events (from check_batch); returns an EventResult per event, duplicates included.

    `store` names the shop orders belong to (default: the source). Each touched customer's journey
    is recomputed once, after all their events.
    """
    now = timezone.now()
    results, touched = [], {}
    for item in checked:
        existing = CustomerEvent.objects.filter(source=source, event_id=item.event_id).first()
        if existing is not None:
            results.append(EventResult(item.event_id, existing.pk, existing.customer_id, created=False))
            continue
        customer = _resolve(item.customer, now)
        event = store_event(customer, item.name, item.properties, item.occurred_at, source, item.event_id, now)
        if event is None:
            existing = CustomerEvent.objects.get(source=source, event_id=item.event_id)
            results.append(EventResult(item.event_id, existing.pk, existing.customer_id, created=False))
            continue
        if item.order is not None:
            orders.apply_order_event(customer, item.name, item.order, item.occurred_at, store or source)
        touched[customer.pk] = customer
        results.append(EventResult(item.event_id, event.pk, customer.pk, created=True))
    for customer_id in touched:
        journey.recompute(customer_id, now, announce=True)
    if touched:
        changed = sorted(touched)
        transaction.on_commit(lambda: customers_changed.send(sender=CustomerEvent, customer_ids=changed))
    return results


def record(raw_items, source=API_SOURCE, store=None, trusted_names=False):
    """check_batch + record_events: EventRefused with every item's errors, or the results."""
    checked, errors = check_batch(raw_items, trusted_names=trusted_names)
    if errors:
        raise EventRefused({str(index): item_errors for index, item_errors in errors.items()})
    return record_events(checked, source=source, store=store)

