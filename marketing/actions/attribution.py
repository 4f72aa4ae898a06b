"""Attribution: a reply on any channel within the reply window, a paid order within the order window."""
from collections import defaultdict
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models.functions import Coalesce
from django.utils.text import slugify

from conversations import events
from conversations.models import Label, Message
from customers.models import Order

from ..families import family_of
from ..models import Recipient

LONGEST_REPLY_WINDOW = timedelta(days=60)


def campaign_label(campaign):
    return f"campaign-{campaign.pk}-{slugify(campaign.name)}"[:60].rstrip("-")


@transaction.atomic
def credit_reply(message_id):
    """Mark the campaign the customer answers (their latest one still in its reply window) as replied and tag
    their one conversation with it. Returns the recipient credited, or None."""
    message = (Message.objects.filter(pk=message_id, direction=Message.Direction.INBOUND)
               .annotate(at=Coalesce("sent_at", "created_at")).select_related("conversation").first())
    if message is None:
        return None
    customer_id = message.conversation.customer_id
    candidates = (Recipient.objects.select_for_update(of=("self",)).select_related("campaign")
                  .filter(customer_id=customer_id, sent_at__isnull=False, replied_at=None,
                          sent_at__lte=message.at, sent_at__gte=message.at - LONGEST_REPLY_WINDOW)
                  .order_by("-sent_at", "-id"))
    for recipient in candidates:
        if message.at <= recipient.sent_at + timedelta(hours=recipient.campaign.reply_window_hours):
            recipient.replied_at = message.at
            recipient.save(update_fields=["replied_at"])
            label, _created = Label.objects.get_or_create(name=campaign_label(recipient.campaign))
            conversation = message.conversation
            conversation.labels.add(label)
            events.conversation_changed(conversation)
            return recipient
        break
    return None


def credited_orders(campaign):
    """Paid orders credited to `campaign`: paid within its order window after a send, and no other campaign
    reached that customer later and before the order (the last campaign gets the credit)."""
    recipients = {r.customer_id: r for r in Recipient.objects.filter(campaign=campaign, sent_at__isnull=False)}
    if not recipients:
        return []
    window = timedelta(days=campaign.order_window_days)
    orders = Order.objects.filter(customer_id__in=recipients, status=Order.Status.PAID, paid_at__isnull=False)
    sends = defaultdict(list)
    for customer_id, sent_at, campaign_id in Recipient.objects.filter(
            customer_id__in=recipients, sent_at__isnull=False).values_list("customer_id", "sent_at", "campaign_id"):
        sends[customer_id].append((sent_at, campaign_id))
    credited = []
    for order in orders:
        mine = recipients[order.customer_id]
        if not mine.sent_at <= order.paid_at <= mine.sent_at + window:
            continue
        last = max((s for s in sends[order.customer_id] if s[0] <= order.paid_at), default=None)
        if last is not None and last[1] == campaign.pk:
            credited.append((mine, order))
    return credited


def report(campaign):
    """Sent, delivered, read, replied, opted out, orders and revenue, in total and per channel family."""
    def empty():
        return {"recipients": 0, "skipped": 0, "queued": 0, "sent": 0, "delivered": 0, "read": 0, "failed": 0,
                "replied": 0, "opted_out": 0, "orders": 0, "revenue": Decimal("0.00")}

    total, by_channel, skipped = empty(), defaultdict(empty), defaultdict(int)
    family = family_of(campaign.channel.kind)
    rows = Recipient.objects.filter(campaign=campaign).select_related("message")
    for recipient in rows.iterator():
        status = recipient.delivery_status
        for bucket in (total, by_channel[family]):
            bucket["recipients"] += 1
            if status == Recipient.Status.SKIPPED:
                bucket["skipped"] += 1
            elif status == Recipient.Status.QUEUED:
                bucket["queued"] += 1
            elif status == Recipient.Status.FAILED:
                bucket["failed"] += 1
            else:
                # Reached a later state, so it went through the earlier ones (WhatsApp may skip "delivered").
                bucket["sent"] += 1
                bucket["delivered"] += status in (Recipient.Status.DELIVERED, Recipient.Status.READ)
                bucket["read"] += status == Recipient.Status.READ
            bucket["replied"] += recipient.replied_at is not None
            bucket["opted_out"] += recipient.opted_out_at is not None
        if recipient.skip_reason:
            skipped[recipient.skip_reason] += 1
    for _recipient, order in credited_orders(campaign):
        for bucket in (total, by_channel[family]):
            bucket["orders"] += 1
            bucket["revenue"] += order.total
    return {"total": total, "channels": dict(by_channel), "skipped_by_reason": dict(skipped)}
