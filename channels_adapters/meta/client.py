"""A thin client of Meta's Graph API (WhatsApp Cloud and the Messenger Send API); base URL from the config."""
import httpx

from .. import failures
from ..failures import send_failure
from ..http import failure_from_exception, http_client, json_answer, retry_after_seconds
from ..media import get_json
from ..types import SendResult
from . import errors

DEFAULT_BASE_URL = "https://graph.facebook.com"
DEFAULT_API_VERSION = "v22.0"


class GraphClient:
    def __init__(self, base_url, api_version, access_token, provider):
        self.base_url = f"{base_url.rstrip('/')}/{api_version}"
        self.headers = {"Authorization": f"Bearer {access_token}"}
        self.provider = provider  # for reasons: "WhatsApp", "Messenger", "Instagram"

    def post_message(self, path, payload, id_of):
        """POST a message; `id_of(answer)` picks the provider message id out of a successful answer."""
        try:
            with http_client(headers=self.headers) as client:
                response = client.post(f"{self.base_url}/{path}", json=payload)
        except httpx.HTTPError as exc:
            return failure_from_exception(exc)
        answer = json_answer(response)
        if response.is_success:
            external_id = id_of(answer)
            if external_id:
                return SendResult(ok=True, external_id=str(external_id)[:255])
        error = answer.get("error") if isinstance(answer.get("error"), dict) else {}
        http_retryable = response.status_code == 429 or response.status_code >= 500
        failure = errors.failure_for(error.get("code"), error.get("error_subcode"))
        if failure is None:
            failure = failures.http_failure(http_retryable)
        return send_failure(failure, self.provider, error.get("code"), str(error.get("message") or ""),
                            retry_after_seconds(response), http_retryable, status=response.status_code)

    def get_object(self, object_id, trusted):
        """GET /{object_id} (e.g. a media id's download URL), under the media host rules."""
        return get_json(f"{self.base_url}/{object_id}", trusted, headers=self.headers)
