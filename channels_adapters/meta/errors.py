"""Graph API error codes (WhatsApp Cloud, Messenger, Instagram) mapped to what the agent should know.

Sources: https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/ ,
https://developers.facebook.com/docs/messenger-platform/error-codes
"""
from .. import failures
from ..failures import Failure

RETRIED = "; it will be retried."

ERRORS = {
    # WhatsApp Cloud API
    131047: Failure(failures.WINDOW_CLOSED, "more than 24 hours have passed since the customer's last message; "
                                           "send an approved template."),
    131026: Failure(failures.INVALID_RECIPIENT, "the message could not be delivered: the number may not be on "
                                               "WhatsApp, or the customer's app is too old."),
    131030: Failure(failures.INVALID_RECIPIENT, "the number is not in this WhatsApp test account's allowed list."),
    131021: Failure(failures.INVALID_RECIPIENT, "the recipient is the business number itself."),
    131031: Failure(failures.BLOCKED, "the WhatsApp Business account is restricted or locked."),
    131049: Failure(failures.BLOCKED, "Meta chose not to deliver this message to keep engagement healthy."),
    131050: Failure(failures.BLOCKED, "the customer stopped receiving marketing messages from this business."),
    131056: Failure(failures.RATE_LIMITED, "too many messages to this customer in a short time" + RETRIED, True),
    130429: Failure(failures.RATE_LIMITED, "the WhatsApp throughput limit was reached" + RETRIED, True),
    131048: Failure(failures.RATE_LIMITED, "too many of this number's messages were blocked or flagged as spam."),
    131051: Failure(failures.MEDIA_REJECTED, "WhatsApp does not support this kind of message."),
    131052: Failure(failures.MEDIA_REJECTED, "WhatsApp could not download the customer's media."),
    131053: Failure(failures.MEDIA_REJECTED, "WhatsApp could not fetch the attachment from OmniDesk's public URL "
                                            "(check PUBLIC_BASE_URL) or its type is not supported."),
    132000: Failure(failures.TEMPLATE_REJECTED, "the number of variables does not match the approved template."),
    132001: Failure(failures.TEMPLATE_REJECTED, "the template does not exist in this language or is not approved."),
    132005: Failure(failures.TEMPLATE_REJECTED, "the filled-in template text is too long."),
    132007: Failure(failures.TEMPLATE_REJECTED, "the template's content breaks a WhatsApp policy."),
    132012: Failure(failures.TEMPLATE_REJECTED, "a template variable has the wrong format."),
    133010: Failure(failures.CREDENTIALS, "the business phone number is not registered with WhatsApp."),
    131000: Failure(failures.TEMPORARY, "something went wrong at WhatsApp" + RETRIED, True),
    131016: Failure(failures.TEMPORARY, "WhatsApp is overloaded" + RETRIED, True),
    # Graph API, Messenger and Instagram
    190: Failure(failures.CREDENTIALS, "the channel's access token expired or was revoked; paste a new one."),
    200: Failure(failures.CREDENTIALS, "the channel's token lacks the permission to send this message."),
    (10, 2018278): Failure(failures.WINDOW_CLOSED, "the customer's last message is too old: replies are allowed "
                                                  "within 24 hours, or 7 days by a human agent."),
    (100, 2018001): Failure(failures.INVALID_RECIPIENT, "no such user for this page."),
    551: Failure(failures.BLOCKED, "this person is not available right now (they blocked the page or left)."),
    4: Failure(failures.RATE_LIMITED, "the app's Graph API rate limit was reached" + RETRIED, True),
    17: Failure(failures.RATE_LIMITED, "the Graph API rate limit was reached" + RETRIED, True),
    32: Failure(failures.RATE_LIMITED, "the page's Graph API rate limit was reached" + RETRIED, True),
    613: Failure(failures.RATE_LIMITED, "too many calls in a short time" + RETRIED, True),
    80007: Failure(failures.RATE_LIMITED, "the account's messaging rate limit was reached" + RETRIED, True),
    1200: Failure(failures.TEMPORARY, "a temporary send error at Meta" + RETRIED, True),
    2: Failure(failures.TEMPORARY, "the Graph API is temporarily unavailable" + RETRIED, True),
    1: Failure(failures.TEMPORARY, "an unknown error at Meta" + RETRIED, True),
}


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
    failure = failure_for(code, error.get("error_subcode")) or Failure(failures.REJECTED, f"{provider} did not "
                                                                                          "deliver the message.")
    detail = (error.get("error_data") or {}).get("details") if isinstance(error.get("error_data"), dict) else ""
    return failure.reason(provider, code, str(detail or error.get("message") or error.get("title") or ""))
