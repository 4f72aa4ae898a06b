"""Why a provider refused a message, in words an agent can act on: a category first, then the advice.

Provider packages declare their error codes with `error_table` (send answers and failed-status callbacks
alike): each failure gets a code ("twilio.21610") and its words are registered with the domain, which stores
the code with its parameters and renders them in the reader's language.
"""
from dataclasses import dataclass, replace

from django.utils import translation
from django.utils.translation import gettext_lazy as _

from conversations import failure_reasons
from conversations.failure_reasons import FailureReason

from .types import SendResult

INVALID_RECIPIENT = "invalid_recipient"
BLOCKED = "blocked"
WINDOW_CLOSED = "window_closed"
RATE_LIMITED = "rate_limited"
UNREACHABLE = "unreachable"
TEMPLATE_REJECTED = "template_rejected"
CREDENTIALS = "credentials"
TOO_LONG = "too_long"
MEDIA_REJECTED = "media_rejected"
TEMPORARY = "temporary"
REJECTED = "rejected"


@dataclass(frozen=True)
class Failure:
    category: str
    advice: str  # lazy, may use %(provider)s
    retryable: bool = False
    code: str = ""

    def reason(self, provider, code, detail="", **params):
        """The FailureReason of this failure; the provider's detail only when it adds to the advice."""
        params["provider"] = provider
        detail = (detail or "").rstrip(".")
        with translation.override("en"):
            advice = failure_reasons.describe(self.code, params)
        if detail and detail not in advice:
            params["detail"] = detail
        if code not in (None, ""):
            params["provider_code"] = str(code)
        return FailureReason(self.code, params)


def failure(code, category, advice, retryable=False):
    """One failure with its code, its words registered with the domain."""
    failure_reasons.register(code, advice, category)
    return Failure(category, advice, retryable, code)


def error_table(prefix, failures_by_key):
    """A provider's error table: each failure's code is `prefix.key` ("meta.10.2018278" for a (code, subcode))."""
    table = {}
    for key, entry in failures_by_key.items():
        code = f"{prefix}." + (".".join(map(str, key)) if isinstance(key, tuple) else str(key))
        table[key] = replace(entry, code=code)
        failure_reasons.register(code, entry.advice, entry.category)
    return table


# An HTTP error answer the provider's error table does not explain (with the `status` parameter).
HTTP_TEMPORARY = failure("http.temporary", TEMPORARY, _("%(provider)s answered HTTP %(status)s."), True)
HTTP_REJECTED = failure("http.rejected", REJECTED, _("%(provider)s answered HTTP %(status)s."))
TIMEOUT = "http.timeout"
UNREACHABLE_PROVIDER = "http.unreachable"
failure_reasons.register(TIMEOUT, _("The provider did not answer in time."))
failure_reasons.register(UNREACHABLE_PROVIDER, _("Could not reach the provider: %(error)s."))


def http_failure(retryable):
    return HTTP_TEMPORARY if retryable else HTTP_REJECTED


def send_failure(failure, provider, code, detail="", retry_after=None, http_retryable=False, **params):
    """A SendResult for a provider error; temporary when the error says so or the HTTP status did (429/5xx)."""
    return send_failed(failure.reason(provider, code, detail, **params), failure.retryable or http_retryable,
                       retry_after)


def send_failed(reason, retryable=False, retry_after=None):
    return SendResult(ok=False, reason=reason, retryable=retryable, retry_after=retry_after)
