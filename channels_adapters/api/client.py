"""Posts signed outbound messages to an integrator's callback URL."""
import json

import httpx
from django.utils.translation import gettext_lazy as _

from conversations import failure_reasons
from conversations.failure_reasons import FailureReason

from ..base import signed_headers
from ..http import failure_from_exception, failure_from_response, http_client
from ..types import SendResult

CALLBACK_REFUSED = "api.callback_refused"
NO_CALLBACK_URL = "api.no_callback_url"
failure_reasons.register(CALLBACK_REFUSED, _("The callback URL answered HTTP %(status)s."))
failure_reasons.register(NO_CALLBACK_URL, _("This API channel has no callback_url to deliver to."))


def signed_body(secret, payload):
    """The JSON body and its signature headers (timestamp and HMAC of "<timestamp>.<body>"), as sent now."""
    body = json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()
    return body, signed_headers(secret, body)


def post_message(callback_url, secret, payload):
    body, signature_headers = signed_body(secret, payload)
    try:
        with http_client() as client:
            response = client.post(
                callback_url, content=body, headers={"Content-Type": "application/json", **signature_headers}
            )
    except httpx.HTTPError as exc:
        return failure_from_exception(exc)
    if not response.is_success:
        return failure_from_response(response, FailureReason(CALLBACK_REFUSED, {"status": response.status_code}))
    external_id = ""
    try:
        answer = response.json()
        if isinstance(answer, dict):
            external_id = str(answer.get("external_id") or answer.get("id") or "")
    except (ValueError, RecursionError):  # RecursionError: a body nested beyond reason
        pass
    return SendResult(ok=True, external_id=external_id[:255])
