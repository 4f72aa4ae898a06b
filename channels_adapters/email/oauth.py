"""OAuth2 mailboxes (Gmail, Microsoft 365): the authorisation-code flow with PKCE, and fresh access tokens for
IMAP and SMTP (XOAUTH2).

The provider's endpoints and our app's client id/secret are configuration
(settings.EMAIL_OAUTH_PROVIDERS). The tokens live in the channel's config, which is encrypted at rest as a
whole; they are secret keys, so no page or API answer shows them. An access token is refreshed before it
expires; when the provider refuses the refresh (the grant was revoked or expired), the channel says so
(`oauth_error`) and asks an admin to reconnect. Polling then stops before it takes anything, so no mail is
lost: the next poll after reconnecting takes everything that waited.
"""
import base64
import hashlib
import secrets
import time
from dataclasses import dataclass
from urllib.parse import urlencode

import httpx
from django.conf import settings
from django.db import transaction

from conversations.actions import directory
from conversations.models import Channel

PROVIDER_KEY = "oauth_provider"
ACCESS_TOKEN_KEY = "oauth_access_token"
REFRESH_TOKEN_KEY = "oauth_refresh_token"
EXPIRES_AT_KEY = "oauth_expires_at"
ERROR_KEY = "oauth_error"
TOKEN_KEYS = frozenset({ACCESS_TOKEN_KEY, REFRESH_TOKEN_KEY})
MAX_TOKEN_LENGTH = 8192


class OAuthError(Exception):
    """The provider could not be asked, or answered nonsense: try again later."""


class GrantRevoked(OAuthError):
    """The provider refused our refresh token (revoked, expired, password changed): an admin must reconnect."""


@dataclass(frozen=True)
class Provider:
    name: str
    label: str
    client_id: str
    client_secret: str
    authorize_url: str
    token_url: str
    scope: str
    authorize_params: dict
    mail_servers: dict  # imap_*/smtp_* keys the channel gets when connected

    @property
    def configured(self):
        return bool(self.client_id and self.client_secret)


def providers():
    """Every provider the settings describe, configured (client id and secret given) or not."""
    found = {}
    for name, values in settings.EMAIL_OAUTH_PROVIDERS.items():
        servers = {key: value for key, value in values.items() if key.startswith(("imap_", "smtp_"))}
        found[name] = Provider(
            name=name, label=values.get("label", name), client_id=values.get("client_id", ""),
            client_secret=values.get("client_secret", ""), authorize_url=values["authorize_url"],
            token_url=values["token_url"], scope=values["scope"],
            authorize_params=dict(values.get("authorize_params", {})), mail_servers=servers)
    return found


def provider_of(config):
    return providers().get(config.get(PROVIDER_KEY) or "")


def uses_oauth(config):
    return bool(config.get(PROVIDER_KEY))


@dataclass(frozen=True)
class Authorisation:
    """A started authorisation: where to send the admin's browser, and what to keep (in their session)."""

    url: str
    pending: dict


def _code_challenge(verifier):
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def start(channel, provider, redirect_uri):
    """The provider's consent page for `channel`'s mailbox (RFC 7636 PKCE, S256) and the state to check later."""
    verifier = secrets.token_urlsafe(64)
    state = secrets.token_urlsafe(32)
    params = {
        "response_type": "code",
        "client_id": provider.client_id,
        "redirect_uri": redirect_uri,
        "scope": provider.scope,
        "state": state,
        "code_challenge": _code_challenge(verifier),
        "code_challenge_method": "S256",
        "login_hint": channel.config["address"],
        **provider.authorize_params,
    }
    pending = {"state": state, "verifier": verifier, "channel": str(channel.pk), "provider": provider.name,
               "redirect_uri": redirect_uri}
    return Authorisation(f"{provider.authorize_url}?{urlencode(params)}", pending)


def _token_request(provider, data):
    """POST to the provider's token endpoint; the token answer, or GrantRevoked / OAuthError."""
    form = {"client_id": provider.client_id, "client_secret": provider.client_secret, **data}
    try:
        response = httpx.post(provider.token_url, data=form, timeout=settings.EMAIL_OAUTH_TIMEOUT_SECONDS,
                              headers={"Accept": "application/json"})
    except httpx.HTTPError as exc:
        raise OAuthError(f"could not reach {provider.label}: {exc.__class__.__name__}: {exc}") from exc
    try:
        answer = response.json()
    except ValueError:
        answer = {}
    if not isinstance(answer, dict):
        answer = {}
    if response.status_code in (400, 401) and answer.get("error") in ("invalid_grant", "unauthorized_client",
                                                                       "invalid_client"):
        detail = str(answer.get("error_description") or answer["error"])[:300]
        raise GrantRevoked(f"{provider.label} refused the mailbox's authorisation: {detail}")
    if response.status_code != 200:
        raise OAuthError(f"{provider.label} answered {response.status_code} to the token request")
    token = answer.get("access_token")
    if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_LENGTH:
        raise OAuthError(f"{provider.label} gave no usable access token")
    return answer


def _expires_at(answer, now):
    try:
        lifetime = int(answer.get("expires_in", 3600))
    except (TypeError, ValueError):
        lifetime = 3600
    return int(now) + max(lifetime, 0)


def _tokens(answer, now, previous_refresh=""):
    refresh = answer.get("refresh_token")
    if not isinstance(refresh, str) or not refresh or len(refresh) > MAX_TOKEN_LENGTH:
        refresh = previous_refresh  # providers that do not rotate it keep the old one valid
    return {ACCESS_TOKEN_KEY: answer["access_token"], REFRESH_TOKEN_KEY: refresh,
            EXPIRES_AT_KEY: _expires_at(answer, now), ERROR_KEY: ""}


def finish(pending, code, now=None):
    """Exchange the authorisation `code` for tokens and connect the channel's mailbox through the provider."""
    provider = providers().get(pending["provider"])
    if provider is None or not provider.configured:
        raise OAuthError("this provider is not configured any more")
    answer = _token_request(provider, {"grant_type": "authorization_code", "code": code,
                                       "redirect_uri": pending["redirect_uri"], "code_verifier": pending["verifier"]})
    tokens = _tokens(answer, now or time.time())
    if not tokens[REFRESH_TOKEN_KEY]:
        raise OAuthError(f"{provider.label} gave no refresh token: the mailbox could not stay connected")
    with transaction.atomic():
        channel = Channel.objects.select_for_update().get(pk=pending["channel"])
        config = dict(channel.config)
        address = config["address"]
        config.update(provider.mail_servers)
        config.update({"imap_user": config.get("imap_user") or address, "smtp_user": config.get("smtp_user") or address,
                       PROVIDER_KEY: provider.name, **tokens})
        config.pop("imap_ssl", None)
        return directory.update_channel(channel, config=config)


def _still_fresh(config, now):
    return bool(config.get(ACCESS_TOKEN_KEY)) and (
        config.get(EXPIRES_AT_KEY, 0) - now > settings.EMAIL_OAUTH_REFRESH_MARGIN_SECONDS)


def access_token(channel, now=None):
    """A valid access token of `channel`'s mailbox, refreshed first when it expires within the margin.

    Raises GrantRevoked (recorded on the channel) when the provider refuses the refresh token.
    """
    now = now or time.time()
    config = channel.config
    if config.get(ERROR_KEY):
        raise GrantRevoked(config[ERROR_KEY])
    if _still_fresh(config, now):
        return config[ACCESS_TOKEN_KEY]
    with transaction.atomic():
        # One refresh at a time per channel: a poll and a send may both find the token old.
        locked = Channel.objects.select_for_update().get(pk=channel.pk)
        config = dict(locked.config)
        if _still_fresh(config, now):
            return config[ACCESS_TOKEN_KEY]
        provider = provider_of(config)
        if provider is None:
            raise OAuthError(f"unknown OAuth provider {config.get(PROVIDER_KEY)!r}")
        try:
            answer = _token_request(provider, {"grant_type": "refresh_token",
                                               "refresh_token": config.get(REFRESH_TOKEN_KEY, "")})
        except GrantRevoked as exc:
            # Recorded (and committed) before raising: the channel shows it with a reconnect button.
            config[ERROR_KEY] = f"{exc} Reconnect the mailbox: nothing is fetched or sent until then."
            config[ACCESS_TOKEN_KEY] = ""
            directory.update_channel(locked, config=config)
            revoked = GrantRevoked(config[ERROR_KEY])
        else:
            config.update(_tokens(answer, now, config.get(REFRESH_TOKEN_KEY, "")))
            directory.update_channel(locked, config=config)
            return config[ACCESS_TOKEN_KEY]
    raise revoked


def xoauth2_string(user, token):
    """The SASL XOAUTH2 initial response (Google's and Microsoft's IMAP/SMTP), unencoded."""
    return f"user={user}\x01auth=Bearer {token}\x01\x01"
