"""The adapter contract: every channel kind is one subclass of ChannelAdapter."""
import hashlib
import hmac
import json
import re
from datetime import datetime, timezone
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpResponse
from django.utils.timezone import now as timezone_now

from .types import Attachment, Capabilities, FetchedMedia, RawRequest, SendResult


class AdapterError(Exception):
    """Base of what adapters raise on bad input from outside."""


class SignatureError(AdapterError):
    """The request is not from who it claims to be: answer 403 and store nothing."""


class ConfigError(AdapterError):
    """A channel configuration is missing or has invalid keys."""

    def __init__(self, errors):
        self.errors = errors
        super().__init__("; ".join(f"{key}: {msg}" for key, msg in errors.items()))


class PayloadError(AdapterError):
    """A stored body cannot be understood: the raw event is marked failed, never dropped."""


class MediaError(AdapterError):
    """Provider media could not be fetched; `retryable` when trying later may work."""

    def __init__(self, message, retryable=False, retry_after=None):
        self.retryable = retryable
        self.retry_after = retry_after
        super().__init__(message)


class ProviderError(AdapterError):
    """A call to the provider failed (e.g. registering a webhook on channel creation)."""


class ChannelAdapter:
    kind = ""
    label = ""
    # Identity kinds this channel can address; None means any kind.
    identity_kinds: frozenset | None = frozenset()
    # True when any identity of those kinds is reachable (a phone number, an
    # email address); False when an identity is only known to this very
    # channel (page-scoped ids, bots, integrations), so the customer must have
    # written on it first.
    reaches_any_identity = False
    # False when the channel only brings things in (calls from a telephony system).
    sends_replies = True
    required_config: tuple = ()
    optional_config: tuple = ()
    secret_config: frozenset = frozenset()
    capabilities = Capabilities()
    # https hosts the provider serves inbound media from ("*.example.com" matches sub-domains);
    # the host of the channel's api_base_url is trusted as well.
    media_hosts: tuple = ()
    # Where the provider's API lives unless the config's api_base_url says otherwise (tests: a local fake).
    default_api_base_url = ""

    def __init__(self, channel):
        self.channel = channel
        self.config = channel.config

    # --- configuration -----------------------------------------------------
    @classmethod
    def clean_config(cls, config, previous=None):
        """Validate a configuration given by an admin; secrets left out keep their previous value."""
        if not isinstance(config, dict):
            raise ConfigError({"config": "must be an object"})
        merged = dict(previous or {})
        merged.update(config)
        allowed = set(cls.required_config) | set(cls.optional_config)
        errors = {key: "unknown key" for key in config if key not in allowed}
        errors.update({key: "required" for key in cls.required_config if merged.get(key) in (None, "")})
        if errors:
            raise ConfigError(errors)
        cls.check_config(merged, errors)
        if errors:
            raise ConfigError(errors)
        return merged

    @classmethod
    def check_config(cls, config, errors):
        """Kind-specific checks of a complete config: record problems in `errors`; may normalise values in place."""

    @classmethod
    def public_config(cls, config):
        """What may be shown to humans and API clients: never a secret."""
        return {key: value for key, value in config.items() if key not in cls.secret_config}

    def public_extras(self):
        """Extra read-only facts for the channel's API representation (e.g. an embed snippet)."""
        return {}

    @classmethod
    def reply_templates(cls, config):
        """The approved templates (conversations.channel_kinds.ReplyTemplate) a channel may send."""
        return ()

    def on_created(self, webhook_url):
        """Called after commit when a channel is created (e.g. register a webhook); may raise ProviderError."""

    # --- inbound -----------------------------------------------------------
    def verify(self, request: RawRequest) -> None:
        raise NotImplementedError

    def handshake(self, request: RawRequest) -> HttpResponse:
        return HttpResponse("This channel expects POST.", status=405, content_type="text/plain")

    def validate(self, request: RawRequest) -> None:
        """Refuse (400) a body that could never be processed, before it is stored."""

    def accepted_response(self) -> HttpResponse:
        return HttpResponse(status=200)

    def parse(self, request: RawRequest) -> list:
        raise NotImplementedError

    # --- outbound ----------------------------------------------------------
    def send(self, outbound) -> SendResult:
        raise NotImplementedError

    # --- media -------------------------------------------------------------
    def fetch_media(self, attachment: Attachment) -> FetchedMedia:
        """Download inbound media the provider only referenced (a url or a media id); raises MediaError."""
        raise MediaError(f"{self.label or self.kind} channels do not fetch media.")

    def api_base_url(self):
        return (self.config.get("api_base_url") or self.default_api_base_url).rstrip("/")


def hmac_sha256_hex(secret, body):
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def signature_matches(expected, given):
    return bool(given) and hmac.compare_digest(expected.encode(), given.encode())


# OmniDesk's own signature (the api channel both ways, raw MIME posts to an email channel): an HMAC-SHA256 of
# "<timestamp>.<body>", so a captured request stops being valid once its timestamp leaves the window.
SIGNATURE_HEADER = "X-OmniDesk-Signature"
TIMESTAMP_HEADER = "X-OmniDesk-Timestamp"


def omnidesk_signature(secret, timestamp, body):
    """The X-OmniDesk-Signature value for `body` sent at `timestamp` (Unix seconds)."""
    return "sha256=" + hmac_sha256_hex(secret, f"{int(timestamp)}.".encode() + body)


def signed_headers(secret, body, timestamp=None):
    """The two signature headers of an OmniDesk-signed request sent now (or at `timestamp`)."""
    timestamp = int(timezone_now().timestamp() if timestamp is None else timestamp)
    return {TIMESTAMP_HEADER: str(timestamp), SIGNATURE_HEADER: omnidesk_signature(secret, timestamp, body)}


def verify_omnidesk_signature(request, secret):
    """Raise SignatureError unless `request` carries a signature of its timestamp and body, sent within the window.

    A signature over the body alone (the scheme before timestamps) is refused: it could be replayed forever.
    """
    timestamp = request.header(TIMESTAMP_HEADER).strip()
    if not (timestamp.isascii() and timestamp.isdigit() and len(timestamp) <= 12):
        raise SignatureError(f"missing or malformed {TIMESTAMP_HEADER} header (Unix time in seconds); the "
                             f"signature covers '<timestamp>.<body>'")
    window = settings.WEBHOOK_SIGNATURE_MAX_AGE_SECONDS
    if abs(timezone_now().timestamp() - int(timestamp)) > window:
        raise SignatureError(f"{TIMESTAMP_HEADER} is more than {window} seconds away from our clock "
                             f"(a replayed request, or a clock that is off)")
    given = request.header(SIGNATURE_HEADER)
    if not given.startswith("sha256="):
        raise SignatureError(f"missing or malformed {SIGNATURE_HEADER} header")
    if not hmac.compare_digest(omnidesk_signature(secret, timestamp, request.body).encode(), given.encode()):
        raise SignatureError("signature does not match '<timestamp>.<body>'")


def load_json_object(body):
    """A webhook body that must be a JSON object, or PayloadError."""
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:  # RecursionError: nested beyond reason
        raise PayloadError("body is not valid JSON") from exc
    if not isinstance(payload, dict):
        raise PayloadError("body must be a JSON object")
    return payload


def clean_http_url(errors, config, key):
    """Record in `errors` when config[key] is set and not an http(s) URL with a host."""
    value = config.get(key)
    if value in (None, ""):
        return
    parts = urlsplit(str(value))
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        errors[key] = "must be an http:// or https:// URL without query"


def clean_pattern(errors, config, key, pattern, description):
    value = config.get(key)
    if value not in (None, "") and not re.fullmatch(pattern, str(value)):
        errors[key] = description


def epoch_datetime(value, scale=1):
    """A provider's epoch timestamp (seconds, or milliseconds with scale=1000) as an aware datetime, or None."""
    try:
        return datetime.fromtimestamp(int(value) / scale, tz=timezone.utc)
    except (TypeError, ValueError, OverflowError, OSError):
        return None
