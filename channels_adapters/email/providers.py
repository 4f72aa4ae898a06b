"""Inbound webhooks of email providers (Mailgun, SendGrid, Postmark), verified and parsed by django-anymail.

The one webhook route serves every kind, so a channel says which provider
posts to it (`inbound_provider`) and holds that provider's keys. Anymail's own
view classes do the signature checks and build the message; we only give
them a Django request rebuilt from the stored body.
"""
import io
import json
import time
import warnings
from dataclasses import dataclass

from anymail.exceptions import AnymailError, AnymailNotSupportedWarning, AnymailWebhookValidationFailure
from anymail.webhooks.mailgun import MailgunInboundWebhookView
from anymail.webhooks.postmark import PostmarkInboundWebhookView
from anymail.webhooks.sendgrid import SendGridBaseWebhookView, SendGridInboundWebhookView
from django.conf import settings
from django.core.handlers.wsgi import WSGIRequest

from ..base import PayloadError, SignatureError
from ..types import Attachment


class SendGridSignedInboundWebhookView(SendGridInboundWebhookView, SendGridBaseWebhookView):
    """SendGrid Inbound Parse with its optional security policy (ECDSA signature), checked by anymail."""

    key_setting_name = "inbound_webhook_verification_key"


PROVIDERS = ("mailgun", "sendgrid", "postmark")


@dataclass(frozen=True)
class ProviderEmail:
    mime: bytes
    metadata: dict
    attachments: tuple = ()


def django_request(raw):
    """A Django request carrying the stored webhook, for anymail's views."""
    environ = {
        "REQUEST_METHOD": raw.method or "POST",
        "CONTENT_TYPE": raw.content_type,
        "CONTENT_LENGTH": str(len(raw.body)),
        "PATH_INFO": raw.path or "/",
        "QUERY_STRING": raw.query_string,
        "SERVER_NAME": "omnidesk.invalid",
        "SERVER_PORT": "443",
        "wsgi.url_scheme": "https",
        "wsgi.input": io.BytesIO(raw.body),
    }
    for name, value in raw.headers.items():
        if name.lower() not in ("content-type", "content-length"):
            environ["HTTP_" + name.upper().replace("-", "_")] = value
    return WSGIRequest(environ)


def _view(provider, config):
    basic_auth = [config["webhook_basic_auth"]] if config.get("webhook_basic_auth") else []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", AnymailNotSupportedWarning)
        if provider == "mailgun":
            return MailgunInboundWebhookView(
                webhook_signing_key=config.get("mailgun_webhook_signing_key", ""), webhook_secret=basic_auth
            )
        if provider == "sendgrid":
            return SendGridSignedInboundWebhookView(
                inbound_webhook_verification_key=config.get("sendgrid_verification_key") or None,
                webhook_secret=basic_auth,
            )
        return PostmarkInboundWebhookView(webhook_secret=basic_auth)


def _check_mailgun_age(request):
    max_age = settings.EMAIL_PROVIDER_WEBHOOK_MAX_AGE_SECONDS
    try:
        timestamp = int(request.POST.get("timestamp", ""))
    except ValueError:
        raise SignatureError("Mailgun timestamp missing or not a number") from None
    if max_age and abs(time.time() - timestamp) > max_age:
        raise SignatureError("Mailgun timestamp too old (a replayed request?)")


def verify(provider, config, raw):
    request = django_request(raw)
    try:
        _view(provider, config).run_validators(request)
    except AnymailWebhookValidationFailure as exc:
        raise SignatureError(str(exc)) from None
    except AnymailError as exc:
        raise SignatureError(f"{provider} webhook cannot be checked: {exc}") from None
    if provider == "mailgun":
        _check_mailgun_age(request)


def _mailgun_stored_attachments(request):
    """Mailgun store(notify=...) sends links to the files it keeps (about 3 days), not the files."""
    if "attachments" not in request.POST:
        return ()
    try:
        listed = json.loads(request.POST["attachments"])
    except (ValueError, RecursionError):
        raise PayloadError("Mailgun attachments field is not JSON") from None
    post = request.POST.copy()
    del post["attachments"]
    request.POST = post  # anymail parses forward() posts; the rest of a store() post is the same
    return tuple(
        Attachment(filename=str(item.get("name") or "attachment")[:200],
                   content_type=str(item.get("content-type") or ""),
                   url=str(item.get("url") or "")[:1000], size=int(item.get("size") or 0))
        for item in listed if isinstance(item, dict)
    )


def inbound_email(provider, config, raw):
    """The posted email as MIME bytes (one parser for everything), plus what only the provider knows."""
    request = django_request(raw)
    try:
        stored = _mailgun_stored_attachments(request) if provider == "mailgun" else ()
        events = _view(provider, config).parse_events(request)
    except PayloadError:
        raise
    except (AnymailError, KeyError, ValueError, TypeError, UnicodeError) as exc:
        raise PayloadError(f"not a {provider} inbound email: {exc.__class__.__name__}: {exc}") from None
    if len(events) != 1:
        raise PayloadError(f"expected one inbound email from {provider}, got {len(events)}")
    message = events[0].message
    metadata = {"provider": provider}
    if message.envelope_sender:
        metadata["envelope_sender"] = message.envelope_sender
    if message.spam_score is not None:
        metadata["spam_score"] = message.spam_score
    if events[0].event_id:
        metadata["provider_event_id"] = events[0].event_id
    if stored:
        metadata["provider_stored_attachments"] = True
    return ProviderEmail(mime=message.as_bytes(), metadata=metadata, attachments=stored)
