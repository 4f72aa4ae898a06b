"""The public unsubscribe page of a campaign email (the link in its text and its List-Unsubscribe header)."""
from django.core import signing
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from conversations.models import Message

from .actions import campaigns, consent
from .families import family_of
from .models import Consent, Recipient

MAX_AGE_SECONDS = 365 * 24 * 3600


def _recipient(token):
    try:
        data = signing.loads(token, salt=campaigns.UNSUBSCRIBE_SALT, max_age=MAX_AGE_SECONDS)
    except signing.BadSignature:
        raise Http404 from None
    recipient = Recipient.objects.select_related("message__identity", "message__channel", "campaign").filter(
        pk=data.get("r") if isinstance(data, dict) else None).first()
    if recipient is None or recipient.message is None or recipient.message.identity is None:
        raise Http404
    return recipient


@csrf_exempt
def unsubscribe(request, token):
    """GET shows a confirm button (mail scanners follow links); POST - the button or a client's one-click
    RFC 8058 request - revokes marketing on that address."""
    recipient = _recipient(token)
    message: Message = recipient.message
    family = family_of(message.channel.kind)
    if request.method == "POST":
        latest = consent.latest(message.identity, family, Consent.Purpose.MARKETING)
        if latest is None or latest.state == Consent.State.GRANTED:
            consent.record(message.identity, family, Consent.Purpose.MARKETING, Consent.State.REVOKED,
                           Consent.Source.FORM, {"unsubscribe_link": True, "campaign_id": recipient.campaign_id,
                                                 "message_id": message.pk})
            Recipient.objects.filter(pk=recipient.pk, opted_out_at=None).update(opted_out_at=timezone.now())
        return render(request, "marketing/unsubscribed.html", {"address": message.identity.address})
    return render(request, "marketing/unsubscribe.html", {"address": message.identity.address})
