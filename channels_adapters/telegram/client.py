"""A thin client of the Telegram Bot API; the base URL comes from the channel config."""
import httpx
from django.utils.translation import gettext_lazy as _

from .. import failures
from ..base import MediaError, ProviderError
from ..failures import send_failure
from ..http import failure_from_exception, http_client, json_answer, retry_after_seconds
from ..types import SendResult

DEFAULT_BASE_URL = "https://api.telegram.org"
PROVIDER = "Telegram"


SLOW_DOWN = failures.failure("telegram.slow_down", failures.RATE_LIMITED,
                             _("Telegram asks to slow down; it will be retried."), True)
TOKEN_REFUSED = failures.failure("telegram.token_refused", failures.CREDENTIALS,
                                 _("Telegram refused the channel's bot token."))
BOT_BLOCKED = failures.failure("telegram.bot_blocked", failures.BLOCKED,
                               _("the customer blocked the bot, deleted their account, or never started it."))
CHAT_NOT_FOUND = failures.failure("telegram.chat_not_found", failures.INVALID_RECIPIENT,
                                  _("Telegram does not know this chat (the customer never wrote to this bot)."))
TOO_LONG = failures.failure("telegram.too_long", failures.TOO_LONG, _("the text is longer than Telegram accepts."))
UNAVAILABLE = failures.failure("telegram.unavailable", failures.TEMPORARY,
                               _("Telegram is unavailable; it will be retried."), True)
NOT_DELIVERED = failures.failure("telegram.not_delivered", failures.REJECTED,
                                 _("Telegram did not deliver the message."))


def _failure(code, description):
    text = description.lower()
    if code == 429:
        return SLOW_DOWN
    if code == 401:
        return TOKEN_REFUSED
    if code == 403:
        return BOT_BLOCKED
    if code == 400 and "chat not found" in text:
        return CHAT_NOT_FOUND
    if code == 400 and "too long" in text:
        return TOO_LONG
    if code >= 500:
        return UNAVAILABLE
    return NOT_DELIVERED


class TelegramClient:
    def __init__(self, base_url, bot_token):
        self.base_url = base_url.rstrip("/")
        self.bot_token = bot_token

    def method_url(self, method):
        return f"{self.base_url}/bot{self.bot_token}/{method}"

    def file_url(self, file_path):
        return f"{self.base_url}/file/bot{self.bot_token}/{file_path}"

    def _call(self, method, **kwargs):
        """(HTTP response, decoded answer); raises httpx.HTTPError when Telegram cannot be reached."""
        with http_client() as client:
            response = client.post(self.method_url(method), **kwargs)
        answer = json_answer(response) or {
            "ok": False, "error_code": response.status_code, "description": f"HTTP {response.status_code}"}
        return response, answer

    def send(self, method, **kwargs):
        """A send* method as a SendResult; the external id is (chat id, message id)."""
        try:
            response, answer = self._call(method, **kwargs)
        except httpx.HTTPError as exc:
            return failure_from_exception(exc)
        result = answer.get("result") if isinstance(answer.get("result"), dict) else {}
        if answer.get("ok") and result.get("message_id") is not None:
            chat = (result.get("chat") or {}).get("id")
            return SendResult(ok=True, external_id=f"{chat}:{result['message_id']}")
        code = int(answer.get("error_code") or response.status_code)
        description = str(answer.get("description") or "")
        retry_after = (answer.get("parameters") or {}).get("retry_after") or retry_after_seconds(response)
        return send_failure(_failure(code, description), PROVIDER, code, description, retry_after,
                            http_retryable=code == 429 or code >= 500)

    def set_webhook(self, url, secret_token, allowed_updates):
        try:
            _response, answer = self._call(
                "setWebhook", json={"url": url, "secret_token": secret_token, "allowed_updates": allowed_updates}
            )
        except httpx.HTTPError as exc:
            raise ProviderError(f"could not reach Telegram: {exc.__class__.__name__}") from exc
        if not answer.get("ok"):
            raise ProviderError(f"Telegram refused setWebhook: {answer.get('description') or 'no reason given'}")

    def file_path(self, file_id):
        """getFile: where a file can be downloaded (for about an hour)."""
        try:
            response, answer = self._call("getFile", json={"file_id": file_id})
        except httpx.HTTPError as exc:
            raise MediaError(f"Could not reach Telegram: {exc.__class__.__name__}.", retryable=True) from exc
        if answer.get("ok") and isinstance(answer.get("result"), dict) and answer["result"].get("file_path"):
            return answer["result"]["file_path"]
        code = int(answer.get("error_code") or response.status_code)
        raise MediaError(f"Telegram refused getFile: {answer.get('description') or code}",
                         retryable=code == 429 or code >= 500)
