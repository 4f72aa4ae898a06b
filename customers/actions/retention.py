"""Retention of raw material: inbound webhook bodies and attachment files kept only so many days.

Set with RAW_INBOUND_RETENTION_DAYS and ATTACHMENT_RETENTION_DAYS (0 keeps them forever). Pending raw
events are never removed: they are work not done yet.
"""
from datetime import timedelta

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from conversations.models import Attachment, RawInboundEvent

CHUNK = 500
REMOVED_NOTE = "Removed after %(days)s days (retention)."


def _raw_events(now):
    days = settings.RAW_INBOUND_RETENTION_DAYS
    if not days:
        return 0
    old = RawInboundEvent.objects.filter(received_at__lt=now - timedelta(days=days)).exclude(
        state=RawInboundEvent.State.PENDING)
    removed, _per_model = old.delete()
    return removed


def _attachments(now):
    days = settings.ATTACHMENT_RETENTION_DAYS
    if not days:
        return 0
    removed = 0
    old = Attachment.objects.filter(created_at__lt=now - timedelta(days=days)).exclude(file="")
    while True:
        batch = list(old.order_by("pk")[:CHUNK])
        if not batch:
            return removed
        with transaction.atomic():
            names = [attachment.file.name for attachment in batch]
            Attachment.objects.filter(pk__in=[a.pk for a in batch]).update(
                file="", source_url="", source_media_id="", fetch_error=REMOVED_NOTE % {"days": days})
            transaction.on_commit(lambda names=names: [default_storage.delete(name) for name in names])
        removed += len(batch)


def apply(now=None):
    """Remove what is older than the retention settings; returns counts."""
    now = now or timezone.now()
    return {"raw_inbound_events": _raw_events(now), "attachments": _attachments(now)}
