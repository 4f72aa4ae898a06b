"""The `email` channel: IMAP polling, piped or posted raw MIME, provider webhooks in; SMTP out."""
import base64
import re

from django.conf import settings
from django.utils.crypto import salted_hmac

from conversations.addresses import InvalidAddress, normalise_email
from conversations.failure_reasons import FailureReason

from ..base import (
    ChannelAdapter, MediaError, PayloadError, SignatureError, clean_http_url, verify_omnidesk_signature,
)
from ..media import TrustedHosts, download
from ..types import Capabilities, SendResult
from . import oauth, providers, smtp, tls
from .parser import (
    MAX_HEADER_BYTES, MAX_REFERENCES, EmailLimits, ParseContext, parse_email, parse_message_bytes, sender_of,
)

# Set by our own intake (pipe, IMAP) when only the headers of an oversized email were kept.
ORIGINAL_SIZE_HEADER = "X-OmniDesk-Original-Size"
RAW_MIME_TYPE = "message/rfc822"
IMAP_KEYS = ("imap_host", "imap_port", "imap_user", "imap_password", "imap_security", "imap_ssl", "imap_folder",
             "imap_move_to")
SMTP_KEYS = ("smtp_host", "smtp_port", "smtp_user", "smtp_password", "smtp_security")
DOMAIN_LABEL = r"[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
HOSTNAME = re.compile(rf"^(?=.{{1,253}}$){DOMAIN_LABEL}(\.{DOMAIN_LABEL})*$")


def limits():
    return EmailLimits(
        max_message_bytes=settings.EMAIL_MAX_MESSAGE_BYTES,
        max_attachment_bytes=settings.EMAIL_MAX_ATTACHMENT_BYTES,
        max_attachments=settings.EMAIL_MAX_ATTACHMENTS,
    )


def _boolean(value, key, errors):
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false", "1", "0", "yes", "no"):
        return value.strip().lower() in ("true", "1", "yes")
    errors[key] = "must be true or false"
    return value


def _port(value, key, errors):
    try:
        port = int(value)
    except (TypeError, ValueError):
        port = 0
    if not 1 <= port <= 65535:
        errors[key] = "must be a port number (1-65535)"
        return value
    return port


def _clean_imap(config, errors):
    if not any(config.get(key) not in (None, "") for key in IMAP_KEYS):
        return
    # An OAuth2 mailbox logs in with its token instead of a password.
    for key in ("imap_host", "imap_user") if oauth.uses_oauth(config) else ("imap_host", "imap_user", "imap_password"):
        if config.get(key) in (None, ""):
            errors[key] = "required for IMAP polling"
    if config.get("imap_security") in (None, ""):
        # imap_ssl (true/false) is how channels said it before STARTTLS was offered.
        use_ssl = _boolean(config.pop("imap_ssl", True), "imap_ssl", errors)
        config["imap_security"] = "ssl" if use_ssl is True else "none"
    else:
        config.pop("imap_ssl", None)
    if config["imap_security"] not in tls.SECURITY_MODES:
        errors["imap_security"] = f"must be one of {', '.join(tls.SECURITY_MODES)}"
    if config.get("imap_port") not in (None, ""):
        config["imap_port"] = _port(config["imap_port"], "imap_port", errors)
    config["imap_folder"] = config.get("imap_folder") or "INBOX"


def _clean_smtp(config, errors):
    if not any(config.get(key) not in (None, "") for key in SMTP_KEYS):
        return
    if config.get("smtp_host") in (None, ""):
        errors["smtp_host"] = "required to send email"
    security = config.setdefault("smtp_security", "starttls")
    if security not in tls.SECURITY_MODES:
        errors["smtp_security"] = f"must be one of {', '.join(tls.SECURITY_MODES)}"
    if config.get("smtp_port") not in (None, ""):
        config["smtp_port"] = _port(config["smtp_port"], "smtp_port", errors)
    if config.get("smtp_user") and not config.get("smtp_password") and not oauth.uses_oauth(config):
        errors["smtp_password"] = "required with smtp_user"


def _clean_inbound(config, errors):
    secret = config.get("inbound_secret") or ""
    if secret and len(secret) < 16:
        errors["inbound_secret"] = "must be at least 16 characters"
    provider = config.get("inbound_provider") or ""
    if provider and provider not in providers.PROVIDERS:
        errors["inbound_provider"] = f"must be one of {', '.join(providers.PROVIDERS)}"
    basic_auth = config.get("webhook_basic_auth") or ""
    if basic_auth and ":" not in basic_auth:
        errors["webhook_basic_auth"] = "must be user:password (as in the webhook URL you give the provider)"
    if provider == "mailgun" and not config.get("mailgun_webhook_signing_key"):
        errors["mailgun_webhook_signing_key"] = "required when inbound_provider is mailgun"
    if provider == "sendgrid" and not (config.get("sendgrid_verification_key") or basic_auth):
        errors["sendgrid_verification_key"] = "required (or webhook_basic_auth) when inbound_provider is sendgrid"
    if provider == "postmark" and not basic_auth:
        errors["webhook_basic_auth"] = "required when inbound_provider is postmark (Postmark does not sign)"


class EmailAdapter(ChannelAdapter):
    kind = "email"
    label = "Email"
    identity_kinds = frozenset({"email"})
    reaches_any_identity = True
    required_config = ("address",)
    optional_config = (
        *IMAP_KEYS, *SMTP_KEYS,
        "inbound_secret", "inbound_provider", "mailgun_webhook_signing_key", "sendgrid_verification_key",
        "webhook_basic_auth", "message_id_domain", "authserv_id", "mailgun_api_key", "api_base_url", "tls_ca_pem",
    )
    # The OAuth2 keys (oauth.*_KEY) are written by the connect flow only, never given by an admin.
    secret_config = frozenset({
        "imap_password", "smtp_password", "inbound_secret", "mailgun_webhook_signing_key", "webhook_basic_auth",
        "mailgun_api_key", *oauth.TOKEN_KEYS,
    })
    capabilities = Capabilities(html=True, attachments=True, max_attachments=10, carbon_copies=True)
    # Attachments of a Mailgun store() route stay at Mailgun (api_base_url: its API, for a region or a test).
    media_hosts = ("api.mailgun.net", "*.api.mailgun.net", "api.eu.mailgun.net", "*.api.eu.mailgun.net")
    default_api_base_url = "https://api.mailgun.net"

    @classmethod
    def check_config(cls, config, errors):
        try:
            config["address"] = normalise_email(config["address"])
        except InvalidAddress:
            errors["address"] = "must be an email address"
        domain = config.get("message_id_domain") or ""
        if domain and not HOSTNAME.match(domain):
            errors["message_id_domain"] = "must be a domain name"
        clean_http_url(errors, config, "api_base_url")
        _clean_imap(config, errors)
        _clean_smtp(config, errors)
        _clean_inbound(config, errors)
        tls.check_ca_pem(config, errors)

    # --- inbound -----------------------------------------------------------
    @property
    def message_id_domain(self):
        return self.config.get("message_id_domain") or self.config["address"].rsplit("@", 1)[-1]

    def _context(self, request, provider_email=None):
        size = request.header(ORIGINAL_SIZE_HEADER)
        return ParseContext(
            limits=limits(),
            own_domains=frozenset({self.message_id_domain.lower()}),
            authserv_id=self.config.get("authserv_id", ""),
            original_size=int(size) if size.isdigit() else None,
            provider_metadata=provider_email.metadata if provider_email else {},
            provider_attachments=provider_email.attachments if provider_email else (),
        )

    @staticmethod
    def is_raw_mime(request):
        return request.content_type.split(";")[0].strip().lower() == RAW_MIME_TYPE

    def verify(self, request):
        if self.is_raw_mime(request):
            secret = self.config.get("inbound_secret")
            if not secret:
                raise SignatureError("this channel has no inbound_secret: raw MIME posts are not accepted")
            verify_omnidesk_signature(request, secret)
            return
        provider = self.config.get("inbound_provider")
        if not provider:
            raise SignatureError(f"this channel accepts {RAW_MIME_TYPE} posts only (no inbound_provider is set)")
        providers.verify(provider, self.config, request)

    def validate(self, request):
        if self.is_raw_mime(request):
            if not request.body.strip():
                raise PayloadError("the body is empty: expected one email (RFC 5322)")
            sender_of(parse_message_bytes(request.body[:MAX_HEADER_BYTES]))
            return
        providers.inbound_email(self.config["inbound_provider"], self.config, request)

    def parse(self, request):
        if self.is_raw_mime(request):
            return parse_email(request.body, self._context(request))
        provider_email = providers.inbound_email(self.config.get("inbound_provider", ""), self.config, request)
        return parse_email(provider_email.mime, self._context(request, provider_email))

    def fetch_media(self, attachment):
        """A file Mailgun kept (store() route), fetched with the account's API key."""
        key = self.config.get("mailgun_api_key")
        if not key:
            raise MediaError("Mailgun keeps this file: set mailgun_api_key on the channel to fetch it.")
        credentials = base64.b64encode(f"api:{key}".encode()).decode()
        return download(attachment.url, TrustedHosts(self.media_hosts, self.api_base_url()),
                         headers={"Authorization": f"Basic {credentials}"}, declared_type=attachment.content_type)

    # --- outbound ----------------------------------------------------------
    def outbound_message_id(self, message_id):
        """Our Message-ID for outbound message `message_id`: stable across retries, not guessable."""
        token = salted_hmac("omnidesk.email.message-id", f"{self.channel.pk}:{message_id}").hexdigest()[:24]
        return f"omnidesk.{message_id}.{token}@{self.message_id_domain}"

    def send(self, outbound):
        # Only a real Message-ID can be threaded to (ids we derived from a digest cannot).
        in_reply_to = outbound.reply_to_external_id if "@" in outbound.reply_to_external_id else ""
        answered = outbound.reply_to_metadata
        if in_reply_to and answered.get("subject"):
            subject = smtp.reply_subject(answered["subject"])
        else:
            subject = outbound.metadata.get("subject") or smtp.new_thread_subject(outbound.text)
        references = [*answered.get("references", []), in_reply_to][-MAX_REFERENCES:] if in_reply_to else []
        message_id = self.outbound_message_id(outbound.message_id)
        message = smtp.compose(
            from_address=self.config["address"],
            from_name=outbound.author_name,
            to=outbound.to,
            cc=[address for address in outbound.cc if address != outbound.to],
            subject=subject,
            text=outbound.text,
            html=outbound.html,
            message_id=message_id,
            in_reply_to=in_reply_to,
            references=references,
            attachments=outbound.attachments,
            automatic=bool(outbound.metadata.get("automatic")),
            list_unsubscribe=outbound.metadata.get("list_unsubscribe") or "",
        )
        token = None
        if oauth.uses_oauth(self.config):
            try:
                token = oauth.access_token(self.channel)
            except oauth.GrantRevoked as exc:
                return SendResult(ok=False, reason=FailureReason(smtp.OAUTH_REVOKED, {"error": str(exc)}))
            except oauth.OAuthError as exc:
                return SendResult(ok=False, reason=FailureReason(smtp.OAUTH_REFRESH_FAILED, {"error": str(exc)}),
                                  retryable=True)
        result = smtp.send(self.config, message, oauth_token=token)
        if result.ok:
            return SendResult(ok=True, external_id=message_id)
        return result
