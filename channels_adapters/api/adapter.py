"""The `api` channel: integrators post signed JSON to us, we post signed JSON to their callback."""
from django.utils.dateparse import parse_datetime

from conversations import failure_reasons
from conversations.addresses import IDENTITY_KIND_NAMES
from conversations.failure_reasons import FailureReason

from ..base import (
    ChannelAdapter,
    ConfigError,
    PayloadError,
    load_json_object,
    verify_omnidesk_signature,
)
from ..types import Capabilities, InboundMessage, InboundStatus, Sender, SendResult
from .client import NO_CALLBACK_URL, post_message

MAX_TEXT_LENGTH = 20_000
STATUSES = {"sent", "delivered", "read", "failed"}


class ApiAdapter(ChannelAdapter):
    kind = "api"
    label = "API"
    identity_kinds = None
    reaches_any_identity = False
    required_config = ("secret",)
    optional_config = ("callback_url",)
    secret_config = frozenset({"secret"})
    capabilities = Capabilities(max_length=MAX_TEXT_LENGTH)

    @classmethod
    def clean_config(cls, config, previous=None):
        merged = super().clean_config(config, previous)
        url = merged.get("callback_url") or ""
        if url and not url.startswith(("http://", "https://")):
            raise ConfigError({"callback_url": "must be an http:// or https:// URL"})
        if len(merged["secret"]) < 16:
            raise ConfigError({"secret": "must be at least 16 characters"})
        return merged

    def verify(self, request):
        verify_omnidesk_signature(request, self.config["secret"])

    def validate(self, request):
        self.parse(request)

    def parse(self, request):
        payload = load_json_object(request.body)
        if payload.get("type", "message") == "status":
            return [self._status(payload)]
        return [self._message(payload)]

    def _message(self, payload):
        external_id = payload.get("external_id")
        if not isinstance(external_id, str) or not external_id.strip() or len(external_id) > 255:
            raise PayloadError("external_id must be a non-empty string of at most 255 characters")
        sender = payload.get("from")
        if not isinstance(sender, dict):
            raise PayloadError("from must be an object with kind and address")
        kind, address, name = sender.get("kind"), sender.get("address"), sender.get("name") or ""
        if kind not in IDENTITY_KIND_NAMES:
            raise PayloadError(f"from.kind must be one of {', '.join(sorted(IDENTITY_KIND_NAMES))}")
        if not isinstance(address, str) or not address.strip():
            raise PayloadError("from.address must be a non-empty string")
        if not isinstance(name, str) or len(name) > 200:
            raise PayloadError("from.name must be a string of at most 200 characters")
        text = payload.get("text")
        if not isinstance(text, str) or not text.strip():
            raise PayloadError("text must be a non-empty string")
        if len(text) > MAX_TEXT_LENGTH:
            raise PayloadError(f"text is longer than {MAX_TEXT_LENGTH} characters")
        sent_at = None
        if payload.get("sent_at") is not None:
            sent_at = parse_datetime(payload["sent_at"]) if isinstance(payload["sent_at"], str) else None
            if sent_at is None or sent_at.tzinfo is None:
                raise PayloadError("sent_at must be an ISO-8601 date-time with a time zone")
        return InboundMessage(
            external_id=external_id.strip(),
            sender=Sender(kind=kind, address=address, name=name.strip()),
            text=text,
            sent_at=sent_at,
        )

    def _status(self, payload):
        external_id, status = payload.get("external_id"), payload.get("status")
        if not isinstance(external_id, str) or not external_id:
            raise PayloadError("external_id must be a non-empty string")
        if status not in STATUSES:
            raise PayloadError(f"status must be one of {', '.join(sorted(STATUSES))}")
        reason = payload.get("reason")
        return InboundStatus(external_id=external_id, status=status,
                             reason=failure_reasons.provider_text(str(reason)[:500]) if reason else None)

    def send(self, outbound):
        callback_url = self.config.get("callback_url")
        if not callback_url:
            return SendResult(ok=False, reason=FailureReason(NO_CALLBACK_URL))
        payload = {
            "type": "message",
            "message_id": outbound.message_id,
            "to": {"kind": outbound.to_kind, "address": outbound.to},
            "text": outbound.text,
            "author": outbound.author_name,
        }
        result = post_message(callback_url, self.config["secret"], payload)
        if result.ok and not result.external_id:
            return SendResult(ok=True, external_id=f"omnidesk-{outbound.message_id}")
        return result
