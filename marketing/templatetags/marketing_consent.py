from django import template

from ..actions.consent import current_entries
from ..models import Consent

register = template.Library()


@register.simple_tag
def current_consents(customer):
    """The entries that decide each (address, channel, purpose) of the customer now."""
    return list(current_entries(Consent.objects.filter(customer=customer)).select_related(
        "identity", "recorded_by").order_by("identity__address", "channel", "purpose"))
