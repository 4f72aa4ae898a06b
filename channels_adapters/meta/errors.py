"""Graph API error codes (WhatsApp Cloud, Messenger, Instagram) mapped to what the agent should know.

Sources: https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/ ,
https://developers.facebook.com/docs/messenger-platform/error-codes
"""
from django.utils.translation import gettext_lazy as _

from .. import failures
from ..failures import Failure

ERRORS = failures.error_table("meta", {
    # WhatsApp Cloud API
    131047: Failure(failures.WINDOW_CLOSED,
                   _("more than 24 hours have passed since the customer's last message; send an approved template.")),
    131026: Failure(failures.INVALID_RECIPIENT,
                   _("the message could not be delivered: the number may not be on WhatsApp, or the customer's app is"
                     " too old.")),
    131030: Failure(failures.INVALID_RECIPIENT, _("the number is not in this WhatsApp test account's allowed list.")),
    131021: Failure(failures.INVALID_RECIPIENT, _("the recipient is the business number itself.")),
    131031: Failure(failures.BLOCKED, _("the WhatsApp Business account is restricted or locked.")),
    131049: Failure(failures.BLOCKED, _("Meta chose not to deliver this message to keep engagement healthy.")),
    131050: Failure(failures.BLOCKED, _("the customer stopped receiving marketing messages from this business.")),
    131056: Failure(failures.RATE_LIMITED,
                   _("too many messages to this customer in a short time; it will be retried."), True),
    130429: Failure(failures.RATE_LIMITED, _("the WhatsApp throughput limit was reached; it will be retried."), True),
    131048: Failure(failures.RATE_LIMITED, _("too many of this number's messages were blocked or flagged as spam.")),
    131051: Failure(failures.MEDIA_REJECTED, _("WhatsApp does not support this kind of message.")),
    131052: Failure(failures.MEDIA_REJECTED, _("WhatsApp could not download the customer's media.")),
    131053: Failure(failures.MEDIA_REJECTED,
                   _("WhatsApp could not fetch the attachment from OmniDesk's public URL (check PUBLIC_BASE_URL) or "
                     "its type is not supported.")),
    132000: Failure(failures.TEMPLATE_REJECTED, _("the number of variables does not match the approved template.")),
    132001: Failure(failures.TEMPLATE_REJECTED, _("the template does not exist in this language or is not approved.")),
    132005: Failure(failures.TEMPLATE_REJECTED, _("the filled-in template text is too long.")),
    132007: Failure(failures.TEMPLATE_REJECTED, _("the template's content breaks a WhatsApp policy.")),
    132012: Failure(failures.TEMPLATE_REJECTED, _("a template variable has the wrong format.")),
    133010: Failure(failures.CREDENTIALS, _("the business phone number is not registered with WhatsApp.")),
    131000: Failure(failures.TEMPORARY, _("something went wrong at WhatsApp; it will be retried."), True),
    131016: Failure(failures.TEMPORARY, _("WhatsApp is overloaded; it will be retried."), True),
    # Graph API, Messenger and Instagram
    190: Failure(failures.CREDENTIALS, _("the channel's access token expired or was revoked; paste a new one.")),
    200: Failure(failures.CREDENTIALS, _("the channel's token lacks the permission to send this message.")),
    (10, 2018278): Failure(failures.WINDOW_CLOSED,
                   _("the customer's last message is too old: replies are allowed within 24 hours, or 7 days by a "
                     "human agent.")),
    (100, 2018001): Failure(failures.INVALID_RECIPIENT, _("no such user for this page.")),
    551: Failure(failures.BLOCKED, _("this person is not available right now (they blocked the page or left).")),
    4: Failure(failures.RATE_LIMITED, _("the app's Graph API rate limit was reached; it will be retried."), True),
    17: Failure(failures.RATE_LIMITED, _("the Graph API rate limit was reached; it will be retried."), True),
    32: Failure(failures.RATE_LIMITED, _("the page's Graph API rate limit was reached; it will be retried."), True),
    613: Failure(failures.RATE_LIMITED, _("too many calls in a short time; it will be retried."), True),
    80007: Failure(failures.RATE_LIMITED,
                   _("the account's messaging rate limit was reached; it will be retried."), True),
    1200: Failure(failures.TEMPORARY, _("a temporary send error at Meta; it will be retried."), True),
    2: Failure(failures.TEMPORARY, _("the Graph API is temporarily unavailable; it will be retried."), True),
    1: Failure(failures.TEMPORARY, _("an unknown error at Meta; it will be retried."), True),
})
UNKNOWN = failures.failure("meta.unknown", failures.REJECTED, _("%(provider)s did not deliver the message."))


def _as_int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def failure_for(code, subcode=None):
    code, subcode = _as_int(code), _as_int(subcode)
    return ERRORS.get((code, subcode)) or ERRORS.get(code)


def reason_for(provider, error):
    """The agent-facing reason of a Graph error object ({"code", "error_subcode", "message", ...})."""
    error = error if isinstance(error, dict) else {}
    code = error.get("code")
    failure = failure_for(code, error.get("error_subcode")) or UNKNOWN
    detail = (error.get("error_data") or {}).get("details") if isinstance(error.get("error_data"), dict) else ""
    return failure.reason(provider, code, str(detail or error.get("message") or error.get("title") or ""))
