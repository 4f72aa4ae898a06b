"""Attribution: a reply on any channel within the reply window, a paid order within the order window."""
from collections import defaultdict
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Count
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


RUNS_SHOWN = 12


def run_reports(series, limit=RUNS_SHOWN):
    """[(run, its report)] of a repeating campaign's latest runs, newest first."""
    return [(run, report(run)) for run in series.runs.select_related("channel").order_by("-run_for")[:limit]]


def report(campaign):
    """Sent, delivered, read, replied, opted out, orders and revenue, in total and per channel family.

    Counted by the database in one grouped query (a handful of rows per status, however many recipients),
    plus the orders credited to the campaign."""
    def empty():
        return {"recipients": 0, "skipped": 0, "queued": 0, "sent": 0, "delivered": 0, "read": 0, "failed": 0,
                "replied": 0, "opted_out": 0, "orders": 0, "revenue": Decimal("0.00")}

    total, by_channel, skipped = empty(), defaultdict(empty), defaultdict(int)
    family = family_of(campaign.channel.kind)
    # A repeating campaign's figures are those of all its runs.
    recipients = Recipient.objects.filter(campaign__series=campaign) if campaign.repeats else \
        Recipient.objects.filter(campaign=campaign)
    groups = (recipients.order_by()
              .values("status", "skip_reason", "message__status")
              .annotate(n=Count("pk"), replied=Count("replied_at"), opted_out=Count("opted_out_at")))
    for group in groups:
        status = _delivery_status(group["status"], group["message__status"])
        for bucket in (total, by_channel[family]):
            bucket["recipients"] += group["n"]
            if status in (Recipient.Status.SKIPPED, Recipient.Status.QUEUED, Recipient.Status.FAILED):
                bucket[status] += group["n"]
            else:
                # Reached a later state, so it went through the earlier ones (WhatsApp may skip "delivered").
                bucket["sent"] += group["n"]
                bucket["delivered"] += group["n"] if status in (Recipient.Status.DELIVERED,
                                                                Recipient.Status.READ) else 0
                bucket["read"] += group["n"] if status == Recipient.Status.READ else 0
            bucket["replied"] += group["replied"]
            bucket["opted_out"] += group["opted_out"]
        if group["skip_reason"]:
            skipped[group["skip_reason"]] += group["n"]
    credited = [pair for run in campaign.runs.all() for pair in credited_orders(run)] if campaign.repeats \
        else credited_orders(campaign)
    for _recipient, order in credited:
        for bucket in (total, by_channel[family]):
            bucket["orders"] += 1
            bucket["revenue"] += order.total
    return {"total": total, "channels": dict(by_channel), "skipped_by_reason": dict(skipped)}


def _delivery_status(recipient_status, message_status):
    """Recipient.delivery_status from the grouped columns: once sent, its core message's status."""
    if message_status is None:
        return recipient_status
    return Recipient.Status.QUEUED if message_status == Message.Status.QUEUED else message_status
