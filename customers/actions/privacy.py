"""Erasing a customer (LGPD art. 18, VI): everything about the person removed, the act itself audited.

Identities, conversation, messages, attachment files, page views, ratings,
claims, events, counters, typed attributes and journey are deleted; orders stay
in the shop's figures without the person (customer emptied). Raw inbound bodies
that carry one of the person's addresses are deleted too. A later message from
the same address finds no identity and starts a new customer.
"""
from urllib.parse import quote

from django.core.files.storage import default_storage
from django.db import transaction

from conversations.models import Attachment, Customer, Identity, Message, RawInboundEvent

from ..models import CustomerEvent, Erasure, Order
from ..signals import customer_erased

RAW_SCAN_CHUNK = 500


def _people(customer):
    """The customer and everyone merged into them, at any depth."""
    people, frontier = {customer.pk}, [customer.pk]
    while frontier:
        frontier = list(Customer.objects.filter(merged_into_id__in=frontier).exclude(pk__in=people)
                        .values_list("pk", flat=True))
        people.update(frontier)
    return sorted(people)


def _needles(addresses):
    """How an address may appear in a raw body: as is, without the + (WhatsApp Cloud), URL-encoded (forms)."""
    needles = set()
    for address in addresses:
        for form in {address, address.lstrip("+")}:
            if len(form) >= 5:
                needles.add(form.encode())
                needles.add(quote(form, safe="").encode())
    return needles


def _erase_raw_events(addresses):
    needles = _needles(addresses)
    doomed = []
    for pk, body in RawInboundEvent.objects.values_list("pk", "body").iterator(chunk_size=RAW_SCAN_CHUNK):
        content = bytes(body).lower()
        if any(needle.lower() in content for needle in needles):
            doomed.append(pk)
    RawInboundEvent.objects.filter(pk__in=doomed).delete()
    return len(doomed)


@transaction.atomic
def erase_customer(customer, actor):
    """Remove the customer and every trace of them; returns the Erasure audit record."""
    people = _people(customer)
    # Locked: a message ingested meanwhile waits, then finds no identity and starts a new customer.
    list(Customer.objects.select_for_update().filter(pk__in=people).order_by("pk").values_list("pk", flat=True))
    addresses = list(Identity.objects.filter(customer_id__in=people).values_list("address", flat=True))
    files = [name for name in Attachment.objects.filter(message__conversation__customer_id__in=people)
             .exclude(file="").values_list("file", flat=True)]
    removed = {
        "customers": len(people),
        "identities": len(addresses),
        "messages": Message.objects.filter(conversation__customer_id__in=people).count(),
        "attachments": Attachment.objects.filter(message__conversation__customer_id__in=people).count(),
        "events": CustomerEvent.objects.filter(customer_id__in=people).count(),
        "orders_anonymised": Order.objects.filter(customer_id__in=people).count(),
        "raw_inbound_events": _erase_raw_events(addresses),
    }
    customer_erased.send(sender=Customer, customer_ids=people, addresses=addresses)
    Order.objects.filter(customer_id__in=people).update(customer=None)
    # Cascades: identities, conversation (messages, attachments, cycles, ratings, audit), page views,
    # claims, merges, events, counters, typed attributes, journey.
    Customer.objects.filter(pk__in=people).delete()
    record = Erasure.objects.create(customer_ref=customer.pk, erased_by=actor, removed=removed)
    transaction.on_commit(lambda: _delete_files(files))
    return record


def _delete_files(names):
    for name in names:
        default_storage.delete(name)
