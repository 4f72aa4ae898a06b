"""Channel families a consent and a campaign speak of: WhatsApp is one family whether Cloud API or Twilio."""
from django.utils.translation import gettext_lazy as _

WHATSAPP = "whatsapp"
SMS = "sms"
EMAIL = "email"
WEBCHAT = "webchat"

FAMILY_CHOICES = [(WHATSAPP, _("WhatsApp")), (SMS, _("SMS")), (EMAIL, _("Email")), (WEBCHAT, _("Web chat"))]
FAMILIES = {value for value, _label in FAMILY_CHOICES}

_BY_KIND = {
    "whatsapp_cloud": WHATSAPP,
    "twilio_whatsapp": WHATSAPP,
    "twilio_sms": SMS,
    "email": EMAIL,
    "webchat": WEBCHAT,
}


def family_of(channel_kind):
    """The consent family of a channel kind; other kinds (api, telegram...) are their own family."""
    return _BY_KIND.get(channel_kind, channel_kind)


def kinds_of(family):
    return [kind for kind, value in _BY_KIND.items() if value == family] or [family]
