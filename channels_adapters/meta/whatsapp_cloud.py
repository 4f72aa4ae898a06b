"""WhatsApp through Meta's Cloud API: one business phone number per channel."""
from .. import placeholders
from ..base import MediaError, PayloadError, clean_pattern, epoch_datetime
from ..media import TrustedHosts, download
from ..templates import clean_templates, templates_of
from ..types import Attachment, InboundMessage, InboundStatus, Sender
from ..whatsapp import whatsapp_capabilities
from . import errors
from .webhooks import MetaAdapter, objects

MEDIA_TYPES = ("image", "audio", "video", "document", "sticker")
DIRECT_MEDIA = {
    "image/jpeg": "image", "image/png": "image",
    "video/mp4": "video", "video/3gpp": "video",
    "audio/aac": "audio", "audio/mp4": "audio", "audio/mpeg": "audio", "audio/amr": "audio", "audio/ogg": "audio",
}
STATUSES = {"sent", "delivered", "read", "failed"}
PROVIDER = "WhatsApp"


def _text_of(message):
    """(text, metadata) for the non-media message types."""
    kind = message.get("type", "")
    body = message.get(kind) if isinstance(message.get(kind), dict) else {}
    if kind == "text":
        return str(body.get("body") or ""), {}
    if kind == "location":
        args = (body.get("latitude"), body.get("longitude"), body.get("name") or "", body.get("address") or "")
        return placeholders.location_text(*args), placeholders.location_metadata(*args)
    if kind == "contacts":
        lines = [
            placeholders.contact_text(
                (contact.get("name") or {}).get("formatted_name", ""),
                [phone.get("phone", "") for phone in objects(contact, "phones")],
                [email.get("email", "") for email in objects(contact, "emails")],
            )
            for contact in objects(message, "contacts")
        ]
        return "\n".join(lines), {"contacts": message.get("contacts")}
    if kind == "button":
        return str(body.get("text") or ""), {"button_payload": body.get("payload", "")}
    if kind == "interactive":
        reply = body.get("button_reply") or body.get("list_reply") or {}
        return str(reply.get("title") or ""), {"interactive_reply_id": reply.get("id", "")}
    detail = objects(message, "errors")[0].get("title", "") if objects(message, "errors") else ""
    text = placeholders.unsupported_text(PROVIDER, kind)
    return (f"{text} ({detail})" if detail else text), {}


class WhatsAppCloudAdapter(MetaAdapter):
    kind = "whatsapp_cloud"
    label = PROVIDER
    webhook_object = "whatsapp_business_account"
    token_key = "access_token"
    identity_kinds = frozenset({"phone"})
    reaches_any_identity = True
    required_config = ("phone_number_id", "access_token", "app_secret")
    optional_config = ("verify_token", "api_base_url", "api_version", "templates")
    secret_config = frozenset({"access_token", "app_secret"})
    capabilities = whatsapp_capabilities(max_length=4096)
    # The media id resolves (on the API host) to a short-lived URL on Meta's lookaside CDN.
    media_hosts = ("graph.facebook.com", "lookaside.fbsbx.com")

    @classmethod
    def check_config(cls, config, errors):
        super().check_config(config, errors)
        clean_pattern(errors, config, "phone_number_id", r"\d{5,30}", "the numeric Phone number ID from Meta")
        clean_templates(errors, config)

    @classmethod
    def reply_templates(cls, config):
        return templates_of(config)

    # --- inbound -----------------------------------------------------------
    def parse(self, request):
        items = []
        for entry in self.entries(request):
            for change in objects(entry, "changes"):
                value = change.get("value") if isinstance(change.get("value"), dict) else {}
                if change.get("field") != "messages":
                    continue
                # One Meta app may serve several numbers: only this channel's number is its business.
                if str((value.get("metadata") or {}).get("phone_number_id")) != str(self.config["phone_number_id"]):
                    continue
                names = {c.get("wa_id"): (c.get("profile") or {}).get("name", "") for c in objects(value, "contacts")}
                items += [self._message(message, names) for message in objects(value, "messages")]
                items += [status for status in map(self._status, objects(value, "statuses")) if status]
        return items

    def _message(self, message, names):
        if not message.get("id") or not message.get("from"):
            raise PayloadError("a WhatsApp message without id or sender")
        sender_id = str(message["from"])
        kind = message.get("type", "")
        context = message.get("context") if isinstance(message.get("context"), dict) else {}
        reply_to = (str(context["id"]),) if context.get("id") else ()
        attachments, reopens = (), True
        if kind in MEDIA_TYPES and isinstance(message.get(kind), dict):
            media = message[kind]
            text, metadata = str(media.get("caption") or ""), {}
            attachments = (Attachment(
                filename=str(media.get("filename") or ""),
                content_type=str(media.get("mime_type") or ""),
                media_id=str(media.get("id") or ""),
            ),)
        elif kind == "reaction" and isinstance(message.get("reaction"), dict):
            reaction = message["reaction"]
            text, metadata = placeholders.reaction_text(reaction.get("emoji", "")), {"reaction": reaction}
            reply_to, reopens = (str(reaction.get("message_id") or ""),), False
        else:
            text, metadata = _text_of(message)
        if context.get("forwarded"):
            metadata["forwarded"] = True
        return InboundMessage(
            external_id=str(message["id"]),
            sender=Sender(kind="phone", address=sender_id, name=str(names.get(sender_id) or "")[:200]),
            text=text,
            attachments=attachments,
            sent_at=epoch_datetime(message.get("timestamp")),
            reply_to=reply_to,
            metadata=metadata,
            reopens=reopens,
        )

    def _status(self, status):
        if status.get("status") not in STATUSES or not status.get("id"):
            return None
        reason = None
        if status["status"] == "failed":
            failures_given = objects(status, "errors")
            reason = errors.reason_for(PROVIDER, failures_given[0] if failures_given else {})
        return InboundStatus(external_id=str(status["id"]), status=status["status"], reason=reason,
                             at=epoch_datetime(status.get("timestamp")))

    def fetch_media(self, attachment):
        trusted = TrustedHosts(self.media_hosts, self.api_base_url())
        graph = self.graph()
        info = graph.get_object(attachment.media_id, trusted)
        if not isinstance(info, dict) or not info.get("url"):
            raise MediaError("WhatsApp gave no download URL for this media.")
        return download(info["url"], trusted, headers=graph.headers,
                        declared_type=str(info.get("mime_type") or attachment.content_type))

    # --- outbound ----------------------------------------------------------
    def send(self, outbound):
        payload = {"messaging_product": "whatsapp", "recipient_type": "individual", "to": outbound.to.lstrip("+")}
        if outbound.template is not None:
            payload.update(type="template", template=self._template(outbound.template))
        elif outbound.attachments:
            payload.update(self._media(outbound.attachments[0], outbound.text))
        else:
            payload.update(type="text", text={"body": outbound.text})
        return self.graph().post_message(
            f"{self.config['phone_number_id']}/messages",
            payload,
            lambda answer: (objects(answer, "messages") or [{}])[0].get("id"),
        )

    @staticmethod
    def _template(template):
        sent = {"name": template.name, "language": {"code": template.language}}
        if template.variables:
            parameters = []
            for name, value in template.variables.items():
                parameter = {"type": "text", "text": value}
                if not name.isdigit():  # named parameters ({{order_id}}); numbered ones go by position
                    parameter["parameter_name"] = name
                parameters.append(parameter)
            sent["components"] = [{"type": "body", "parameters": parameters}]
        return sent

    @staticmethod
    def _media(attachment, caption):
        # What WhatsApp shows inline; anything else goes as a document. Audio has no caption: with text,
        # the file goes as a document, which has one.
        kind = DIRECT_MEDIA.get(attachment.content_type, "document")
        if kind == "audio" and caption:
            kind = "document"
        media = {"link": attachment.url}
        if caption and kind != "audio":
            media["caption"] = caption
        if kind == "document":
            media["filename"] = attachment.filename
        return {"type": kind, kind: media}
