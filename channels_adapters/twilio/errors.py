"""Twilio error codes (send answers and status callbacks) mapped to what the agent should know.

Source: https://www.twilio.com/docs/api/errors
"""
from .. import failures
from ..failures import Failure

PROVIDER = "Twilio"

ERRORS = {
    20003: Failure(failures.CREDENTIALS, "Twilio refused the Account SID / Auth Token of this channel."),
    20429: Failure(failures.RATE_LIMITED, "Twilio is receiving too many requests; it will be retried.", True),
    21211: Failure(failures.INVALID_RECIPIENT, "the customer's phone number is not a valid number."),
    21408: Failure(failures.BLOCKED, "this Twilio account may not send to the customer's country."),
    21606: Failure(failures.CREDENTIALS, "the channel's from_number cannot send from this Twilio account."),
    21610: Failure(failures.BLOCKED, "the customer replied STOP and unsubscribed from this number."),
    21612: Failure(failures.INVALID_RECIPIENT, "this number cannot be reached from the channel's number "
                                               "(e.g. no MMS to this country)."),
    21614: Failure(failures.INVALID_RECIPIENT, "the customer's number is not a mobile number that can receive SMS."),
    21617: Failure(failures.TOO_LONG, "the message exceeds Twilio's 1600 characters."),
    30003: Failure(failures.UNREACHABLE, "the customer's phone is switched off or out of coverage."),
    30004: Failure(failures.BLOCKED, "the customer or their carrier blocks messages from this number."),
    30005: Failure(failures.INVALID_RECIPIENT, "the number does not exist or is no longer in service."),
    30006: Failure(failures.INVALID_RECIPIENT, "the number is a landline or its carrier cannot receive SMS."),
    30007: Failure(failures.BLOCKED, "the carrier filtered the message as spam."),
    30008: Failure(failures.REJECTED, "the carrier did not deliver the message and gave no reason."),
    63003: Failure(failures.INVALID_RECIPIENT, "the number is not on WhatsApp."),
    63016: Failure(failures.WINDOW_CLOSED, "more than 24 hours have passed since the customer's last WhatsApp "
                                          "message; send an approved template."),
    63018: Failure(failures.RATE_LIMITED, "WhatsApp's rate limit for this sender was reached; it will be retried.",
                   True),
    63024: Failure(failures.INVALID_RECIPIENT, "WhatsApp says this is not a valid recipient."),
    63049: Failure(failures.BLOCKED, "Meta chose not to deliver this WhatsApp message."),
    63032: Failure(failures.BLOCKED, "WhatsApp does not deliver this kind of message to this customer."),
    63005: Failure(failures.TEMPLATE_REJECTED, "WhatsApp refused the template's content."),
    63027: Failure(failures.TEMPLATE_REJECTED, "the template does not exist or is not approved in this language."),
    11200: Failure(failures.MEDIA_REJECTED, "Twilio could not fetch the attachment from OmniDesk's public URL "
                                           "(check PUBLIC_BASE_URL)."),
}


def failure_for(code):
    try:
        return ERRORS.get(int(code))
    except (TypeError, ValueError):
        return None


def reason_for(code, detail=""):
    failure = failure_for(code) or Failure(failures.REJECTED, "Twilio did not deliver the message.")
    return failure.reason(PROVIDER, code, detail)
