"""A thin client of Twilio's Programmable Messaging API; the base URL comes from the channel config."""
import base64

import httpx

from .. import failures
from ..failures import send_failure
from ..http import failure_from_exception, http_client, json_answer, retry_after_seconds
from ..types import SendResult
from . import errors

DEFAULT_BASE_URL = "https://api.twilio.com"


class TwilioClient:
    def __init__(self, base_url, account_sid, auth_token):
        self.base_url = base_url.rstrip("/")
        self.account_sid = account_sid
        self.auth = (account_sid, auth_token)

    def basic_auth_header(self):
        credentials = base64.b64encode(":".join(self.auth).encode()).decode()
        return {"Authorization": f"Basic {credentials}"}

    def create_message(self, fields):
        """POST Messages.json with form `fields` (a dict; list values repeat, as MediaUrl does)."""
        url = f"{self.base_url}/2010-04-01/Accounts/{self.account_sid}/Messages.json"
        try:
            with http_client(auth=self.auth) as client:
                response = client.post(url, data=fields)
        except httpx.HTTPError as exc:
            return failure_from_exception(exc)
        answer = json_answer(response)
        if response.is_success and answer.get("sid"):
            return SendResult(ok=True, external_id=str(answer["sid"])[:255])
        http_retryable = response.status_code == 429 or response.status_code >= 500
        code = answer.get("code")
        failure = errors.failure_for(code)
        if failure is None:
            failure = failures.http_failure(http_retryable)
        return send_failure(failure, errors.PROVIDER, code, str(answer.get("message") or ""),
                            retry_after_seconds(response), http_retryable, status=response.status_code)
