"""Why a provider refused a message, in words an agent can act on: a category first, then the detail.

Provider packages map their error codes onto these categories, for send
answers and failed-status callbacks alike.
"""
from dataclasses import dataclass

from .types import SendResult

INVALID_RECIPIENT = "Invalid number or recipient"
BLOCKED = "Blocked"
WINDOW_CLOSED = "Reply window closed"
RATE_LIMITED = "Rate limited"
UNREACHABLE = "Recipient unreachable"
TEMPLATE_REJECTED = "Template rejected"
CREDENTIALS = "Channel credentials refused"
TOO_LONG = "Message too long"
MEDIA_REJECTED = "Attachment rejected"
TEMPORARY = "Provider temporarily unavailable"
REJECTED = "Rejected by the provider"


@dataclass(frozen=True)
class Failure:
    category: str
    advice: str
    retryable: bool = False

    def reason(self, provider, code, detail=""):
        text = f"{self.category}: {self.advice}"
        if detail and detail.rstrip(".") not in self.advice:
            text += f" ({provider}: {detail.rstrip('.')})"
        if code not in (None, ""):
            text += f" [{provider} error {code}]"
        return text


def send_failure(failure, provider, code, detail="", retry_after=None, http_retryable=False):
    """A SendResult for a provider error; temporary when the error says so or the HTTP status did (429/5xx)."""
    return SendResult(
        ok=False,
        reason=failure.reason(provider, code, detail),
        retryable=failure.retryable or http_retryable,
        retry_after=retry_after,
    )
