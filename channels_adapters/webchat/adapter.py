"""The `webchat` channel: the chat widget a shop embeds on its own site.

Visitors reach us over the widget's websocket (see consumer.py), never over
the webhook route; agent replies are pushed to the visitor's open widgets
through the channel layer, and go by email when nobody saw them.
"""
import html
import re
import uuid

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.templatetags.static import static
from django.utils import timezone

from ..base import ChannelAdapter, ConfigError, PayloadError, SignatureError
from ..types import Capabilities, SendResult
from .availability import clean_business_calendar, clean_business_hours
from .origins import clean_allowed_origin
from .realtime import is_connected, visitor_group
from .tasks import email_unseen_reply
from .tokens import ANONYMOUS_KIND, EXTERNAL_KIND

MAX_TEXT_LENGTH = 5000
MAX_WELCOME_LENGTH = 500
PRECHAT_FIELDS = ("name", "email", "phone")
WIDGET_LANGUAGES = ("en", "pt-BR", "es")
COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")
DEFAULT_COLOR = "#1f6feb"


def _clean_welcome(value):
    if isinstance(value, str):
        value = {"en": value}
    if not isinstance(value, dict) or not value or set(value) - set(WIDGET_LANGUAGES):
        raise ConfigError({"welcome_text": f"must be text, or an object with keys among {', '.join(WIDGET_LANGUAGES)}"})
    for text in value.values():
        if not isinstance(text, str) or len(text) > MAX_WELCOME_LENGTH:
            raise ConfigError({"welcome_text": f"each text is at most {MAX_WELCOME_LENGTH} characters"})
    return value


class WebchatAdapter(ChannelAdapter):
    kind = "webchat"
    label = "Web chat"
    # Anonymous visitors, and the identities a verified setUser stands for.
    identity_kinds = frozenset({ANONYMOUS_KIND, EXTERNAL_KIND, "email", "phone"})
    reaches_any_identity = False  # only visitors who opened this very widget
    required_config = ("allowed_origins",)
    optional_config = ("hmac_secret", "welcome_text", "prechat_fields", "business_hours", "business_calendar", "color",
                       "touchpoints", "offline_email_channel")
    secret_config = frozenset({"hmac_secret"})
    capabilities = Capabilities(attachments=True, max_length=MAX_TEXT_LENGTH)

    @classmethod
    def clean_config(cls, config, previous=None):
        merged = super().clean_config(config, previous)
        origins = merged["allowed_origins"]
        if isinstance(origins, str):
            origins = [origins]
        if not isinstance(origins, list) or not origins:
            raise ConfigError({"allowed_origins": 'must be a list such as ["https://shop.example"]'})
        cleaned_origins = []
        for origin in origins:
            cleaned = clean_allowed_origin(origin)
            if not cleaned:
                raise ConfigError({"allowed_origins": f"{origin!r} is not an origin like https://shop.example"})
            cleaned_origins.append(cleaned)
        merged["allowed_origins"] = cleaned_origins
        secret = merged.get("hmac_secret")
        if secret is not None and (not isinstance(secret, str) or len(secret) < 16):
            raise ConfigError({"hmac_secret": "must be at least 16 characters"})
        if "welcome_text" in merged:
            merged["welcome_text"] = _clean_welcome(merged["welcome_text"])
        fields = merged.get("prechat_fields", [])
        if not isinstance(fields, list) or set(fields) - set(PRECHAT_FIELDS) or len(set(fields)) != len(fields):
            raise ConfigError({"prechat_fields": f"must be a list among {', '.join(PRECHAT_FIELDS)}"})
        if merged.get("business_hours"):
            merged["business_hours"] = clean_business_hours(merged["business_hours"])
        if merged.get("business_calendar"):
            if merged.get("business_hours"):
                raise ConfigError({"business_calendar": "give business_calendar or business_hours, not both"})
            merged["business_calendar"] = clean_business_calendar(merged["business_calendar"])
        if "color" in merged and not (isinstance(merged["color"], str) and COLOR.match(merged["color"])):
            raise ConfigError({"color": "must be a colour like #1f6feb"})
        if "touchpoints" in merged and not isinstance(merged["touchpoints"], bool):
            raise ConfigError({"touchpoints": "must be true or false"})
        if merged.get("offline_email_channel"):
            try:
                merged["offline_email_channel"] = str(uuid.UUID(str(merged["offline_email_channel"])))
            except ValueError:
                raise ConfigError({"offline_email_channel": "must be a channel id"}) from None
        return merged

    def public_extras(self):
        script = settings.PUBLIC_BASE_URL + static("webchat/widget.js")
        snippet = (
            "<script>(function(w){var o=w.OmniDesk=w.OmniDesk||{q:[]};"
            '["open","close","setUser","setAttributes","reset","on"].forEach(function(m){'
            "o[m]=o[m]||function(){o.q.push([m,[].slice.call(arguments)])}})})(window);</script>\n"
            f'<script async src="{html.escape(script)}" data-omnidesk-channel="{self.channel.pk}" '
            f'data-omnidesk-base="{html.escape(settings.PUBLIC_BASE_URL)}"></script>'
        )
        return {"embed_snippet": snippet}

    # Visitors never come through the webhook route: only the widget's websocket accepts their messages.
    def verify(self, request):
        raise SignatureError("web chat messages arrive over the widget's websocket, not this webhook")

    def parse(self, request):
        raise PayloadError("web chat has no webhook payloads")

    def send(self, outbound):
        group = visitor_group(self.channel.pk, outbound.to_kind, outbound.to)
        message = {
            "id": outbound.message_id,
            "direction": "agent",
            "text": outbound.text,
            "author": outbound.author_name,
            "channel": self.label,
            "created_at": timezone.now().isoformat(),
            "attachments": [],
        }
        async_to_sync(get_channel_layer().group_send)(group, {"type": "webchat.message", "message": message})
        if not is_connected(group):
            email_unseen_reply.apply_async(args=[outbound.message_id],
                                           countdown=settings.WEBCHAT_EMAIL_FALLBACK_DELAY_SECONDS)
        return SendResult(ok=True, external_id=f"webchat-{outbound.message_id}")


def widget_config(channel, config, language):
    """What the widget needs to draw itself (never a secret)."""
    welcome = config.get("welcome_text") or {}
    return {
        "welcome_text": welcome.get(language) or welcome.get("en") or next(iter(welcome.values()), ""),
        "prechat_fields": config.get("prechat_fields", []),
        "color": config.get("color", DEFAULT_COLOR),
        "touchpoints": config.get("touchpoints", True),
        "identity_verification": bool(config.get("hmac_secret")),
        "max_text_length": MAX_TEXT_LENGTH,
        "max_upload_bytes": settings.WEBCHAT_MAX_UPLOAD_BYTES,
        "upload_types": settings.WEBCHAT_UPLOAD_CONTENT_TYPES,
        "name": channel.name,
    }
