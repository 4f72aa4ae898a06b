from django.conf import settings
from django.urls import reverse


def webhook_url(channel):
    """The URL to paste into the provider's console (behind PUBLIC_BASE_URL)."""
    return settings.PUBLIC_BASE_URL + reverse("webhook", args=[channel.pk])
