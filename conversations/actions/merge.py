"""Merging two customers into one conversation, recorded so that it can be undone.

A merge moves the source customer's identities and messages to the target's
conversation; the source conversation stays (empty, resolved) so that an undo
can give everything back. Cycles stay where they were: they measured work
done on that conversation at the time.
"""
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from .. import events
from ..addresses import EMAIL, PHONE, InvalidAddress, normalise_address
from ..models import (
    Conversation,
    ConversationCycle,
    ConversationEvent,
    Customer,
    CustomerMerge,
    Identity,
    Label,
    MergeSuggestion,
    Message,
)
from ..signals import customers_merged
from .errors import ActionError

CONTACT_KINDS = (EMAIL, PHONE)
SUGGESTIONS_SHOWN = 10


def _contact_addresses(customer):
    """The customer's normalised emails and phone numbers, from identities and attributes."""
    # .all(): the console has the identities prefetched for its panel.
    addresses = {(i.kind, i.address) for i in customer.identities.all() if i.kind in CONTACT_KINDS}
    for kind in CONTACT_KINDS:
        value = (customer.attributes or {}).get(kind)
        if isinstance(value, str) and value.strip():
            try:
                addresses.add((kind, normalise_address(kind, value)))
            except InvalidAddress:
                continue
    return addresses


def pending_claims(customer):
    """Undecided claims between `customer` and others (an address typed in the web chat, say)."""
    return MergeSuggestion.objects.filter(status=MergeSuggestion.Status.PENDING).filter(
        Q(customer=customer) | Q(candidate=customer))


def merge_suggestions(customer, claims=None):
    """Other customers who share an email address or phone number with `customer`, or claimed one of theirs.

    `claims`: pending_claims(customer) when the caller has them already. The candidates are one UNION
    of indexed lookups (identities by address, attributes by key, claims by id); an OR of them over a
    join of customers and identities read every customer.
    """
    claims = pending_claims(customer) if claims is None else claims
    claimed = {claim.candidate_id if claim.customer_id == customer.pk else claim.customer_id for claim in claims}
    addresses = _contact_addresses(customer)
    if not claimed and not addresses:
        return Customer.objects.none()
    candidates = Customer.objects.filter(pk__in=claimed).values("pk")
    if addresses:
        sharing_identity, sharing_attribute = Q(), Q()
        for kind, address in addresses:
            sharing_identity |= Q(kind=kind, address=address)
            sharing_attribute |= Q(**{f"attributes__{kind}": address})
        candidates = candidates.union(
            Identity.objects.filter(sharing_identity).values("customer_id"),
            Customer.objects.filter(sharing_attribute).values("pk"),
        )
    return (
        Customer.objects.filter(pk__in=candidates, merged_into__isnull=True)
        .exclude(pk=customer.pk)
        .prefetch_related("identities")
        .order_by("-last_seen_at")[:SUGGESTIONS_SHOWN]
    )


def _refresh_summary(conversation):
    """Recompute what the inbox shows (last message, channel, waiting time) from the messages themselves."""
    talk = conversation.messages.filter(
        direction__in=[Message.Direction.INBOUND, Message.Direction.OUTBOUND]
    ).order_by("-created_at", "-id")
    last = talk.first()
    last_inbound = talk.filter(direction=Message.Direction.INBOUND).exclude(channel=None).first()
    conversation.last_message = last
    conversation.last_message_at = last.created_at if last else None
    if last_inbound is not None:
        conversation.last_inbound_channel_id = last_inbound.channel_id
    conversation.waiting_since = None
    if last is not None and last.direction == Message.Direction.INBOUND and conversation.status != Conversation.Status.RESOLVED:
        last_outbound = talk.filter(direction=Message.Direction.OUTBOUND).first()
        unanswered = conversation.messages.filter(direction=Message.Direction.INBOUND)
        if last_outbound is not None:
            unanswered = unanswered.filter(created_at__gt=last_outbound.created_at)
        conversation.waiting_since = unanswered.order_by("created_at").values_list("created_at", flat=True).first()


def _snapshot(conversation):
    return {
        "status": conversation.status,
        "snoozed_until": conversation.snoozed_until.isoformat() if conversation.snoozed_until else None,
        "assignee": conversation.assignee_id,
        "team": conversation.team_id,
        "priority": conversation.priority,
        "labels": sorted(conversation.labels.values_list("name", flat=True)),
    }


def _locked_pair(source, target):
    """Lock both conversations in a fixed order, so two merges of the same pair cannot deadlock."""
    conversations = {
        c.customer_id: c
        for c in Conversation.objects.select_for_update().filter(customer_id__in=[source.pk, target.pk]).order_by("pk")
    }
    customers = {c.pk: c for c in Customer.objects.select_for_update().filter(pk__in=[source.pk, target.pk]).order_by("pk")}
    return customers[source.pk], customers[target.pk], conversations[source.pk], conversations[target.pk]


def _save_summaries(now, *conversations):
    for conversation in conversations:
        _refresh_summary(conversation)
        conversation.updated_at = now
        conversation.save()


def _record_data(merge, **extra):
    """What the audit trail and the system lines say about a merge."""
    return {"merge": merge.pk, "source": merge.source_id, "source_name": str(merge.source),
            "target": merge.target_id, "target_name": str(merge.target), **extra}


def _audit(kind, actor, data, now, *conversations):
    for conversation in conversations:
        ConversationEvent.objects.create(conversation=conversation, kind=kind, actor=actor, data=data, created_at=now)


def _system_line(conversation, text, **metadata):
    Message.objects.create(
        conversation=conversation, direction=Message.Direction.SYSTEM, text=text, metadata=metadata
    )


def _announce(merge, *conversations):
    groups = set()
    for conversation in conversations:
        groups.update(events.conversation_viewers(conversation))
        groups.add(events.conversation_group(conversation.pk))
        events.conversation_changed(conversation)
    events.emit(events.CONVERSATIONS_MERGED, merge, sorted(groups))


@transaction.atomic
def merge_customers(source, target, actor):
    """Move `source`'s identities and messages into `target`'s conversation; returns the CustomerMerge record."""
    if source.pk == target.pk:
        raise ActionError(_("A customer cannot be merged into itself."), field="target")
    source, target, source_conversation, target_conversation = _locked_pair(source, target)
    if source.merged_into_id or target.merged_into_id:
        raise ActionError(_("One of these customers was already merged into another."), field="target")
    now = timezone.now()

    identity_ids = list(source.identities.values_list("pk", flat=True))
    message_ids = list(source_conversation.messages.values_list("pk", flat=True))
    target_labels = set(target_conversation.labels.values_list("name", flat=True))
    source_labels = set(source_conversation.labels.values_list("name", flat=True))
    added_attributes = {k: v for k, v in (source.attributes or {}).items() if k not in (target.attributes or {})}
    state = {
        **_snapshot(source_conversation),
        "labels_added": sorted(source_labels - target_labels),
        "attributes_added": sorted(added_attributes),
        "name_taken": bool(source.name and not target.name),
    }

    Identity.objects.filter(pk__in=identity_ids).update(customer=target)
    Message.objects.filter(pk__in=message_ids).update(conversation=target_conversation)
    if state["labels_added"]:
        target_conversation.labels.add(*Label.objects.filter(name__in=state["labels_added"]))
    target.attributes = {**added_attributes, **(target.attributes or {})}
    if state["name_taken"]:
        target.name = source.name
    target.first_seen_at = min(target.first_seen_at, source.first_seen_at)
    target.last_seen_at = max(target.last_seen_at, source.last_seen_at)
    target.save()
    source.merged_into = target
    source.save(update_fields=["merged_into"])
    pending_claims(source).filter(Q(customer=target) | Q(candidate=target)).update(
        status=MergeSuggestion.Status.MERGED, decided_by=actor, decided_at=now)

    # A source still waiting for an answer reopens the target: its customer is waiting.
    if source_conversation.waiting_since and target_conversation.status != Conversation.Status.OPEN:
        target_conversation.status = Conversation.Status.OPEN
        target_conversation.snoozed_until = None
        if not target_conversation.cycles.filter(resolved_at__isnull=True).exists():
            ConversationCycle.objects.create(conversation=target_conversation, opened_at=now)
    source_conversation.status = Conversation.Status.RESOLVED
    source_conversation.snoozed_until = None
    _save_summaries(now, source_conversation, target_conversation)

    merge = CustomerMerge.objects.create(
        source=source, target=target, merged_by=actor, merged_at=now, identity_ids=identity_ids,
        message_ids=message_ids, source_state=state,
    )
    data = _record_data(merge, identities=len(identity_ids), messages=len(message_ids))
    _audit(ConversationEvent.Kind.MERGED, actor, data, now, source_conversation, target_conversation)
    _system_line(target_conversation, f"{source} merged into this conversation", event="merged", **data)
    _announce(merge, source_conversation, target_conversation)
    transaction.on_commit(lambda: customers_merged.send(sender=CustomerMerge, source_id=source.pk,
                                                        target_id=target.pk, undone=False))
    return merge


@transaction.atomic
def undo_merge(merge, actor):
    """Give the source customer back its identities, its messages (and the ones that came since from them)."""
    merge = CustomerMerge.objects.select_for_update().select_related("source", "target").get(pk=merge.pk)
    if merge.undone_at is not None:
        raise ActionError(_("This merge was already undone."))
    source, target, source_conversation, target_conversation = _locked_pair(merge.source, merge.target)
    if target.merged_into_id:
        raise ActionError(_("The kept customer was merged again since; undo that merge first."))
    now = timezone.now()
    state = merge.source_state

    identity_ids = list(Identity.objects.filter(pk__in=merge.identity_ids, customer=target).values_list("pk", flat=True))
    Identity.objects.filter(pk__in=identity_ids).update(customer=source)
    Message.objects.filter(conversation=target_conversation).filter(
        Q(pk__in=merge.message_ids) | Q(identity_id__in=identity_ids, created_at__gt=merge.merged_at)
    ).update(conversation=source_conversation)

    target_conversation.labels.remove(*Label.objects.filter(name__in=state.get("labels_added", [])))
    target.attributes = {
        k: v for k, v in (target.attributes or {}).items() if k not in state.get("attributes_added", [])
    }
    if state.get("name_taken") and target.name == source.name:
        target.name = ""
    target.save()
    source.merged_into = None
    source.save(update_fields=["merged_into"])

    source_conversation.status = state["status"]
    source_conversation.snoozed_until = parse_datetime(state["snoozed_until"]) if state.get("snoozed_until") else None
    source_conversation.assignee_id = state.get("assignee")
    source_conversation.team_id = state.get("team")
    source_conversation.priority = state.get("priority", Conversation.Priority.NONE)
    source_conversation.labels.set(Label.objects.filter(name__in=state.get("labels", [])))
    _save_summaries(now, source_conversation, target_conversation)

    merge.undone_at = now
    merge.undone_by = actor
    merge.save(update_fields=["undone_at", "undone_by"])
    data = _record_data(merge)
    _audit(ConversationEvent.Kind.UNMERGED, actor, data, now, source_conversation, target_conversation)
    for conversation in (source_conversation, target_conversation):
        _system_line(conversation, f"Merge of {source} into {target} undone", event="unmerged", **data)
    _announce(merge, source_conversation, target_conversation)
    transaction.on_commit(lambda: customers_merged.send(sender=CustomerMerge, source_id=source.pk,
                                                        target_id=target.pk, undone=True))
    return merge
