"""SMS and WhatsApp through Twilio Programmable Messaging: one adapter, two channel kinds.

Inbound messages and status callbacks arrive as signed form POSTs on the
channel's webhook URL (we pass it as StatusCallback on every send).
"""
import json
import re

from django.conf import settings
from django.core.exceptions import TooManyFieldsSent
from django.http import HttpResponse, QueryDict
from twilio.request_validator import RequestValidator

from conversations.addresses import InvalidAddress, normalise_phone
from conversations.failure_reasons import FailureReason

from .. import placeholders
from ..base import ChannelAdapter, PayloadError, SignatureError, clean_http_url, clean_pattern
from ..media import TrustedHosts, download
from ..templates import clean_templates, provider_entry, templates_of
from ..types import Attachment, Capabilities, InboundMessage, InboundStatus, Sender, SendResult
from ..whatsapp import whatsapp_capabilities
from ..urls_public import webhook_url
from . import errors
from .client import DEFAULT_BASE_URL, TwilioClient

SIGNATURE_HEADER = "X-Twilio-Signature"
MESSAGE_SID = re.compile(r"(SM|MM)[0-9a-fA-F]{32}")
MAX_MEDIA = 10
STATUSES = {
    "sent": "sent",
    "delivered": "delivered",
    "read": "read",
    "failed": "failed",
    "undelivered": "failed",
    "canceled": "failed",
}
# Twilio answers an inbound webhook with TwiML; an empty one means "no automatic reply".
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


def _form(body):
    try:
        return QueryDict(body, encoding="utf-8")
    except TooManyFieldsSent as exc:
        raise PayloadError("too many form fields") from exc


class TwilioAdapter(ChannelAdapter):
    identity_kinds = frozenset({"phone"})
    reaches_any_identity = True
    required_config = ("account_sid", "auth_token")
    optional_config = ("from_number", "messaging_service_sid", "api_base_url")
    secret_config = frozenset({"auth_token"})
    default_api_base_url = DEFAULT_BASE_URL
    # Media URLs are on the API host and redirect to Twilio's CDN (or its S3 bucket).
    media_hosts = ("api.twilio.com", "*.twiliocdn.com", "s3-external-1.amazonaws.com")
    address_prefix = ""  # "whatsapp:" on the WhatsApp kind

    @classmethod
    def check_config(cls, config, errors):
        clean_pattern(errors, config, "account_sid", r"AC[0-9a-fA-F]{32}", "AC followed by 32 hex digits")
        clean_pattern(errors, config, "messaging_service_sid", r"MG[0-9a-fA-F]{32}", "MG followed by 32 hex digits")
        clean_http_url(errors, config, "api_base_url")
        if config.get("from_number"):
            try:
                config["from_number"] = normalise_phone(config["from_number"])
            except InvalidAddress:
                errors["from_number"] = "must be a phone number in international format, e.g. +15005550006"
        elif not config.get("messaging_service_sid"):
            errors["from_number"] = "required (or messaging_service_sid)"

    # --- inbound -----------------------------------------------------------
    def verify(self, request):
        signature = request.header(SIGNATURE_HEADER)
        if not signature:
            raise SignatureError(f"missing {SIGNATURE_HEADER} header")
        # Twilio signs the URL it called: ours as the world sees it, behind any proxy.
        url = settings.PUBLIC_BASE_URL + request.path + (f"?{request.query_string}" if request.query_string else "")
        try:
            params = _form(request.body)
        except PayloadError as exc:
            raise SignatureError(str(exc)) from exc
        if not RequestValidator(self.config["auth_token"]).validate(url, params, signature):
            raise SignatureError(f"signature does not match {url} and the parameters (is PUBLIC_BASE_URL right?)")

    def validate(self, request):
        form = _form(request.body)
        if not MESSAGE_SID.fullmatch(form.get("MessageSid", "")):
            raise PayloadError("MessageSid is missing or malformed")
        if form.get("AccountSid") != self.config["account_sid"]:
            raise PayloadError("AccountSid is not this channel's account")

    def accepted_response(self):
        return HttpResponse(EMPTY_TWIML, content_type="text/xml")

    def parse(self, request):
        form = _form(request.body)
        if form.get("MessageStatus"):
            return self._status(form)
        return [self._message(form)]

    def _status(self, form):
        status = STATUSES.get(form["MessageStatus"])
        if status is None:  # queued, accepted, sending...: nothing the agent needs to see
            return []
        reason = None
        if status == "failed":
            code = form.get("ErrorCode", "")
            reason = errors.reason_for(code) if code else FailureReason(errors.REPORTED_STATUS,
                                                                       {"status": form["MessageStatus"]})
        return [InboundStatus(external_id=form["MessageSid"], status=status, reason=reason)]

    def _message(self, form):
        sender = Sender(kind="phone", address=form.get("From", ""), name=form.get("ProfileName", "").strip()[:200])
        text = form.get("Body", "")
        metadata = {}
        attachments = self._attachments(form)
        if form.get("Latitude") and form.get("Longitude"):
            args = (form["Latitude"], form["Longitude"], form.get("Label", ""), form.get("Address", ""))
            text = text or placeholders.location_text(*args)
            metadata.update(placeholders.location_metadata(*args))
        if not text and form.get("ButtonText"):
            text = form["ButtonText"]
            metadata["button_payload"] = form.get("ButtonPayload", "")
        if not text and not attachments:
            text = placeholders.unsupported_text(self.label, form.get("MessageType", ""))
        reply_to = (form["OriginalRepliedMessageSid"],) if form.get("OriginalRepliedMessageSid") else ()
        return InboundMessage(
            external_id=form["MessageSid"],
            sender=sender,
            text=text,
            attachments=attachments,
            reply_to=reply_to,
            metadata=metadata,
        )

    def _attachments(self, form):
        try:
            count = min(int(form.get("NumMedia") or 0), MAX_MEDIA)
        except ValueError:
            count = 0
        return tuple(
            Attachment(url=form[f"MediaUrl{index}"], content_type=form.get(f"MediaContentType{index}", ""))
            for index in range(count)
            if form.get(f"MediaUrl{index}")
        )

    def client(self):
        return TwilioClient(self.api_base_url(), self.config["account_sid"], self.config["auth_token"])

    def fetch_media(self, attachment):
        # Credentials are needed when the account enforces HTTP auth on media URLs; they are never sent
        # beyond Twilio's API host (not to the CDN it redirects to).
        return download(attachment.url, TrustedHosts(self.media_hosts, self.api_base_url()),
                        headers=self.client().basic_auth_header(), declared_type=attachment.content_type)

    # --- outbound ----------------------------------------------------------
    def send(self, outbound):
        fields = {"To": self.address_prefix + outbound.to, "StatusCallback": webhook_url(self.channel)}
        if self.config.get("messaging_service_sid"):
            fields["MessagingServiceSid"] = self.config["messaging_service_sid"]
        else:
            fields["From"] = self.address_prefix + self.config["from_number"]
        if outbound.template is not None:
            content_sid = provider_entry(self.config, outbound.template, "content_sid")
            if not content_sid:
                return SendResult(ok=False, reason=FailureReason(errors.TEMPLATE_NOT_CONFIGURED,
                                                                 {"name": outbound.template.name}))
            fields["ContentSid"] = content_sid
            fields["ContentVariables"] = json.dumps(outbound.template.variables)
        else:
            if outbound.text:
                fields["Body"] = outbound.text
            if outbound.attachments:
                fields["MediaUrl"] = [attachment.url for attachment in outbound.attachments]
        return self.client().create_message(fields)


class TwilioSmsAdapter(TwilioAdapter):
    kind = "twilio_sms"
    label = "SMS"
    # Twilio splits a long text into segments itself, up to 1600 characters; media makes it an MMS.
    capabilities = Capabilities(attachments=True, max_attachments=MAX_MEDIA, max_length=1600)


class TwilioWhatsAppAdapter(TwilioAdapter):
    kind = "twilio_whatsapp"
    label = "WhatsApp"
    address_prefix = "whatsapp:"
    optional_config = TwilioAdapter.optional_config + ("templates",)
    capabilities = whatsapp_capabilities(max_length=1600)

    @classmethod
    def check_config(cls, config, errors):
        super().check_config(config, errors)
        clean_templates(errors, config, {"content_sid": r"HX[0-9a-fA-F]{32}"})

    @classmethod
    def reply_templates(cls, config):
        return templates_of(config)
