"""Twilio error codes (send answers and status callbacks) mapped to what the agent should know.

Source: https://www.twilio.com/docs/api/errors
"""
from django.utils.translation import gettext_lazy as _

from conversations import failure_reasons

from .. import failures
from ..failures import Failure

PROVIDER = "Twilio"

ERRORS = failures.error_table("twilio", {
    20003: Failure(failures.CREDENTIALS, _("Twilio refused the Account SID / Auth Token of this channel.")),
    20429: Failure(failures.RATE_LIMITED, _("Twilio is receiving too many requests; it will be retried."), True),
    21211: Failure(failures.INVALID_RECIPIENT, _("the customer's phone number is not a valid number.")),
    21408: Failure(failures.BLOCKED, _("this Twilio account may not send to the customer's country.")),
    21606: Failure(failures.CREDENTIALS, _("the channel's from_number cannot send from this Twilio account.")),
    21610: Failure(failures.BLOCKED, _("the customer replied STOP and unsubscribed from this number.")),
    21612: Failure(failures.INVALID_RECIPIENT, _("this number cannot be reached from the channel's number "
                                                 "(e.g. no MMS to this country).")),
    21614: Failure(failures.INVALID_RECIPIENT,
                   _("the customer's number is not a mobile number that can receive SMS.")),
    21617: Failure(failures.TOO_LONG, _("the message exceeds Twilio's 1600 characters.")),
    30003: Failure(failures.UNREACHABLE, _("the customer's phone is switched off or out of coverage.")),
    30004: Failure(failures.BLOCKED, _("the customer or their carrier blocks messages from this number.")),
    30005: Failure(failures.INVALID_RECIPIENT, _("the number does not exist or is no longer in service.")),
    30006: Failure(failures.INVALID_RECIPIENT, _("the number is a landline or its carrier cannot receive SMS.")),
    30007: Failure(failures.BLOCKED, _("the carrier filtered the message as spam.")),
    30008: Failure(failures.REJECTED, _("the carrier did not deliver the message and gave no reason.")),
    63003: Failure(failures.INVALID_RECIPIENT, _("the number is not on WhatsApp.")),
    63016: Failure(failures.WINDOW_CLOSED, _("more than 24 hours have passed since the customer's last WhatsApp "
                                            "message; send an approved template.")),
    63018: Failure(failures.RATE_LIMITED,
                   _("WhatsApp's rate limit for this sender was reached; it will be retried."), True),
    63024: Failure(failures.INVALID_RECIPIENT, _("WhatsApp says this is not a valid recipient.")),
    63049: Failure(failures.BLOCKED, _("Meta chose not to deliver this WhatsApp message.")),
    63032: Failure(failures.BLOCKED, _("WhatsApp does not deliver this kind of message to this customer.")),
    63005: Failure(failures.TEMPLATE_REJECTED, _("WhatsApp refused the template's content.")),
    63027: Failure(failures.TEMPLATE_REJECTED,
                   _("the template does not exist or is not approved in this language.")),
    11200: Failure(failures.MEDIA_REJECTED, _("Twilio could not fetch the attachment from OmniDesk's public URL "
                                              "(check PUBLIC_BASE_URL).")),
})
UNKNOWN = failures.failure("twilio.unknown", failures.REJECTED, _("Twilio did not deliver the message."))
REPORTED_STATUS = "twilio.reported_status"
TEMPLATE_NOT_CONFIGURED = "twilio.template_not_configured"
failure_reasons.register(REPORTED_STATUS, _("Twilio reports the message %(status)s."))
failure_reasons.register(TEMPLATE_NOT_CONFIGURED, _("The template %(name)s is no longer configured on this channel."))


def failure_for(code):
    try:
        return ERRORS.get(int(code))
    except (TypeError, ValueError):
        return None


def reason_for(code, detail=""):
    return (failure_for(code) or UNKNOWN).reason(PROVIDER, code, detail)
