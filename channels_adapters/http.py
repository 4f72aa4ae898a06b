"""Outbound HTTP shared by provider clients: timeouts, and HTTP outcomes mapped to SendResult."""
import email.utils
import time

import httpx
from django.conf import settings

from conversations.failure_reasons import FailureReason

from .failures import TIMEOUT, UNREACHABLE_PROVIDER
from .types import SendResult

USER_AGENT = "OmniDesk/1.0"


def http_client(**kwargs):
    kwargs.setdefault("timeout", settings.OUTBOUND_HTTP_TIMEOUT_SECONDS)
    headers = {"User-Agent": USER_AGENT, **kwargs.pop("headers", {})}
    # Never follow redirects: a provider answer that redirects elsewhere is an error, not a hop.
    return httpx.Client(headers=headers, follow_redirects=False, **kwargs)


def retry_after_seconds(response):
    value = response.headers.get("Retry-After")
    if not value:
        return None
    if value.strip().isdigit():
        return float(value.strip())
    parsed = email.utils.parsedate_to_datetime(value)
    return max(0.0, parsed.timestamp() - time.time()) if parsed else None


def json_answer(response):
    """A provider's answer as a dict; {} when it is not a JSON object (an error page, say)."""
    try:
        answer = response.json()
    except (ValueError, RecursionError):  # RecursionError: a body nested beyond reason
        return {}
    return answer if isinstance(answer, dict) else {}


def failure_from_response(response, reason):
    """A failed HTTP answer as a SendResult: 429 and 5xx are temporary, the rest final."""
    retryable = response.status_code == 429 or response.status_code >= 500
    return SendResult(ok=False, reason=reason, retryable=retryable, retry_after=retry_after_seconds(response))


def failure_from_exception(exc):
    if isinstance(exc, httpx.TimeoutException):
        return SendResult(ok=False, reason=FailureReason(TIMEOUT), retryable=True)
    return SendResult(ok=False, reason=FailureReason(UNREACHABLE_PROVIDER, {"error": exc.__class__.__name__}),
                      retryable=True)
