"""Console pages of the marketing layer (admins): the segment builder and the campaign composer.

Both pages are forms over the JSON API (segments/preview for the live count, campaigns/preview for the message
in each language, campaigns/ and its controls).
"""
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, render
from django.utils.dates import WEEKDAYS_ABBR

from conversations import variables
from conversations.models import Channel
from conversations.visibility import is_admin

from .actions.attribution import report, run_reports
from .families import FAMILY_CHOICES, family_of
from .models import Campaign, Recipient, Segment


def _admin_only(request):
    if not is_admin(request.user):
        raise PermissionDenied


def _schedule_context():
    return {"repeat_choices": Campaign.Repeat.choices, "weekdays": sorted(WEEKDAYS_ABBR.items()),
            "shop_time_zone": settings.MARKETING_DEFAULT_TIME_ZONE}


@login_required
def segment_builder(request):
    _admin_only(request)
    return render(request, "marketing/segments.html", {"segments": Segment.objects.all()})


@login_required
def campaigns_page(request):
    _admin_only(request)
    channels = [c for c in Channel.objects.filter(active=True) if family_of(c.kind) in
                ("whatsapp", "sms", "email", "webchat")]
    return render(request, "marketing/campaigns.html", {
        "campaigns": Campaign.objects.filter(series=None).select_related("segment", "channel")[:100],
        "segments": Segment.objects.all(), "channels": channels, "languages": settings.LANGUAGES,
        "text_placeholder": 'Oi {{ customer.first_name|default:"cliente" }}!',
        "variable_names": ["{{ %s }}" % name for name in variables.VARIABLES], **_schedule_context()})


@login_required
def campaign_page(request, pk):
    _admin_only(request)
    campaign = get_object_or_404(Campaign.objects.select_related("segment", "channel", "series"), pk=pk)
    figures = report(campaign)
    return render(request, "marketing/campaign.html", {
        "campaign": campaign, "report": figures, "channel_rows": [
            (dict(FAMILY_CHOICES).get(name, name), row) for name, row in figures["channels"].items()],
        "skipped_rows": [(Recipient.SkipReason(reason).label, count)
                         for reason, count in figures["skipped_by_reason"].items()],
        "runs": run_reports(campaign) if campaign.repeats else [], **_schedule_context()})
