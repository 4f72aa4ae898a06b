"""Celery tasks of the marketing layer: ids only, each idempotent."""
from celery import shared_task
from django.conf import settings
from django.utils import timezone

from conversations.models import Conversation

from .actions import attribution, campaigns, opt_out, segments
from .models import Campaign, Segment


@shared_task(name="marketing.after_inbound_message")
def after_inbound_message(message_id, customer_id):
    opt_out.revoke_from_keyword(message_id)
    attribution.credit_reply(message_id)
    segments.refresh_customer(customer_id)


@shared_task(name="marketing.refresh_customer")
def refresh_customer(customer_id):
    segments.refresh_customer(customer_id)


@shared_task(name="marketing.refresh_conversation_customer")
def refresh_conversation_customer(conversation_id):
    customer_id = Conversation.objects.filter(pk=conversation_id).values_list("customer_id", flat=True).first()
    if customer_id is not None:
        segments.refresh_customer(customer_id)


@shared_task(name="marketing.recompute_segments")
def recompute_segments():
    """The full recompute of every dynamic segment (the per-customer refresh keeps them current between)."""
    for segment_id in Segment.objects.filter(kind=Segment.Kind.DYNAMIC).values_list("pk", flat=True):
        segments.recompute(segment_id)


@shared_task(name="marketing.start_campaign")
def start_campaign(campaign_id):
    campaigns.start(campaign_id)
    send_campaign.delay(campaign_id)


@shared_task(name="marketing.send_campaign")
def send_campaign(campaign_id):
    """Send what is due, then come back when the next slot is (the periodic tick is the safety net)."""
    campaigns.send_due(campaign_id)
    if settings.CELERY_TASK_ALWAYS_EAGER:
        # Embedded mode has no ETA queue (an eager ETA would run at once, in a loop): the tick sends the rest.
        return
    upcoming = campaigns.next_slot(campaign_id)
    if upcoming is not None and Campaign.objects.filter(pk=campaign_id, status=Campaign.Status.RUNNING).exists():
        send_campaign.apply_async((campaign_id,), eta=max(upcoming, timezone.now()))


@shared_task(name="marketing.tick")
def tick():
    """Every minute: start due campaigns, send due recipients, act on provider refusals."""
    campaigns.start_due()
    for campaign_id in Campaign.objects.filter(status=Campaign.Status.RUNNING).values_list("pk", flat=True):
        campaigns.send_due(campaign_id)
    campaigns.handle_failures()
