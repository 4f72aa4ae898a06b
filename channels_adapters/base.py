"""The adapter contract: every channel kind is one subclass of ChannelAdapter."""
import hashlib
import hmac

from django.http import HttpResponse

from .types import Capabilities, RawRequest, SendResult


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
    required_config: tuple = ()
    optional_config: tuple = ()
    secret_config: frozenset = frozenset()
    capabilities = Capabilities()

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
        return merged

    @classmethod
    def public_config(cls, config):
        """What may be shown to humans and API clients: never a secret."""
        return {key: value for key, value in config.items() if key not in cls.secret_config}

    def public_extras(self):
        """Extra read-only facts for the channel's API representation (e.g. an embed snippet)."""
        return {}

    def on_created(self, webhook_url):
        """Called after commit when a channel is created (e.g. register a webhook)."""

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


def hmac_sha256_hex(secret, body):
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def signature_matches(expected, given):
    return bool(given) and hmac.compare_digest(expected.encode(), given.encode())
