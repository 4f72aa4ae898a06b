"""Telegram bots: updates pushed to the channel's webhook, registered with setWebhook on creation."""
import secrets

from .. import placeholders
from ..base import (
    ChannelAdapter,
    PayloadError,
    SignatureError,
    clean_http_url,
    clean_pattern,
    epoch_datetime,
    load_json_object,
    signature_matches,
)
from ..media import TrustedHosts, download
from ..types import Attachment, Capabilities, InboundMessage, Sender
from .client import DEFAULT_BASE_URL, TelegramClient

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
ALLOWED_UPDATES = ["message", "edited_message", "message_reaction"]
# (message key, default MIME type) of the media a message can carry; a photo is a list of sizes.
MEDIA = (
    ("document", ""),  # unknown: the downloaded file's extension tells
    ("audio", "audio/mpeg"),
    ("voice", "audio/ogg"),
    ("video", "video/mp4"),
    ("video_note", "video/mp4"),
    ("animation", "video/mp4"),
)
# Which send method shows a file inline; anything else goes as a document.
SEND_METHODS = {
    "image/jpeg": ("sendPhoto", "photo"),
    "image/png": ("sendPhoto", "photo"),
    "video/mp4": ("sendVideo", "video"),
    "audio/mpeg": ("sendAudio", "audio"),
    "audio/mp4": ("sendAudio", "audio"),
    "audio/ogg": ("sendVoice", "voice"),
}


def _name(chat, user):
    person = user if isinstance(user, dict) and user else chat
    full = " ".join(part for part in (person.get("first_name"), person.get("last_name")) if part)
    return (full or chat.get("title") or person.get("username") or "")[:200]


def _sticker(sticker):
    if sticker.get("is_animated"):
        return "application/x-tgsticker"
    return "video/webm" if sticker.get("is_video") else "image/webp"


class TelegramAdapter(ChannelAdapter):
    kind = "telegram"
    label = "Telegram"
    identity_kinds = frozenset({"telegram"})
    reaches_any_identity = False  # a bot may only write to people who started it
    required_config = ("bot_token",)
    optional_config = ("secret_token", "api_base_url")
    secret_config = frozenset({"bot_token", "secret_token"})
    capabilities = Capabilities(attachments=True, max_attachments=1, max_length=4096, max_caption_length=1024)
    default_api_base_url = DEFAULT_BASE_URL

    @classmethod
    def check_config(cls, config, errors):
        # Telegram echoes this secret on every update; nobody needs to know it, so one is made up by default.
        config["secret_token"] = config.get("secret_token") or secrets.token_urlsafe(32)
        clean_pattern(errors, config, "bot_token", r"\d{3,20}:[A-Za-z0-9_\-]{20,100}", "the token @BotFather gave")
        clean_pattern(errors, config, "secret_token", r"[A-Za-z0-9_\-]{1,256}", "1 to 256 of A-Z a-z 0-9 _ -")
        clean_http_url(errors, config, "api_base_url")

    def client(self):
        return TelegramClient(self.api_base_url(), self.config["bot_token"])

    def on_created(self, webhook_url):
        self.client().set_webhook(webhook_url, self.config["secret_token"], ALLOWED_UPDATES)

    # --- inbound -----------------------------------------------------------
    def verify(self, request):
        if not signature_matches(self.config["secret_token"], request.header(SECRET_HEADER)):
            raise SignatureError(f"missing or wrong {SECRET_HEADER} header")

    def validate(self, request):
        self._update(request)

    def _update(self, request):
        update = load_json_object(request.body)
        if not isinstance(update.get("update_id"), int):
            raise PayloadError("body must be a Telegram Update with an update_id")
        return update

    def parse(self, request):
        update = self._update(request)
        if isinstance(update.get("message"), dict):
            return [self._message(update["message"])]
        if isinstance(update.get("edited_message"), dict):
            return [self._message(update["edited_message"], edited=True)]
        if isinstance(update.get("message_reaction"), dict):
            return [self._reaction(update["message_reaction"])]
        return []  # membership changes and the like: nothing for the conversation

    def _chat(self, message):
        chat = message.get("chat")
        if not isinstance(chat, dict) or chat.get("id") is None or message.get("message_id") is None:
            raise PayloadError("a Telegram message without chat or message_id")
        return chat

    def _message(self, message, edited=False):
        chat = self._chat(message)
        external_id = f"{chat['id']}:{message['message_id']}"
        text = str(message.get("text") or message.get("caption") or "")
        metadata, attachments = {}, self._attachments(message)
        if edited:
            # The original is already stored under its id: the edit is a message of its own.
            metadata["edited"] = external_id
            external_id = f"{external_id}:edited:{message.get('edit_date')}"
            text = f"(edited) {text}"
        if isinstance(message.get("venue"), dict) or isinstance(message.get("location"), dict):
            venue = message.get("venue") or {}
            location = venue.get("location") or message.get("location") or {}
            args = (location.get("latitude"), location.get("longitude"), venue.get("title", ""), venue.get("address", ""))
            text = placeholders.location_text(*args)
            metadata.update(placeholders.location_metadata(*args))
        elif isinstance(message.get("contact"), dict):
            contact = message["contact"]
            name = " ".join(p for p in (contact.get("first_name"), contact.get("last_name")) if p)
            text = placeholders.contact_text(name, [contact.get("phone_number", "")] if contact.get("phone_number") else [])
            metadata["contact"] = contact
        elif not text and not attachments:
            known = ("poll", "dice", "game", "story", "invoice")
            text = placeholders.unsupported_text(self.label, next((k for k in known if k in message), ""))
        reply = message.get("reply_to_message") if isinstance(message.get("reply_to_message"), dict) else {}
        return InboundMessage(
            external_id=external_id,
            sender=Sender(kind="telegram", address=str(chat["id"]), name=_name(chat, message.get("from"))),
            text=text,
            attachments=attachments,
            sent_at=epoch_datetime(message.get("date")),
            reply_to=(f"{chat['id']}:{reply['message_id']}",) if reply.get("message_id") is not None else (),
            metadata=metadata,
        )

    def _attachments(self, message):
        photos = [p for p in message.get("photo") or [] if isinstance(p, dict) and p.get("file_id")]
        if photos:  # sizes of one picture, smallest first
            return (Attachment(content_type="image/jpeg", media_id=photos[-1]["file_id"],
                               size=int(photos[-1].get("file_size") or 0)),)
        if isinstance(message.get("sticker"), dict) and message["sticker"].get("file_id"):
            sticker = message["sticker"]
            return (Attachment(content_type=_sticker(sticker), media_id=sticker["file_id"]),)
        for key, default_type in MEDIA:
            media = message.get(key)
            if isinstance(media, dict) and media.get("file_id"):
                return (Attachment(
                    filename=str(media.get("file_name") or ""),
                    content_type=str(media.get("mime_type") or default_type),
                    media_id=media["file_id"],
                    size=int(media.get("file_size") or 0),
                ),)
        return ()

    def _reaction(self, reaction):
        chat = self._chat(reaction)
        emojis = [r.get("emoji", "") for r in reaction.get("new_reaction") or [] if isinstance(r, dict)]
        return InboundMessage(
            external_id=f"{chat['id']}:{reaction['message_id']}:reaction:{reaction.get('date')}",
            sender=Sender(kind="telegram", address=str(chat["id"]), name=_name(chat, reaction.get("user"))),
            text=placeholders.reaction_text("".join(emojis)),
            sent_at=epoch_datetime(reaction.get("date")),
            reply_to=(f"{chat['id']}:{reaction['message_id']}",),
            metadata={"reaction": emojis},
            reopens=False,
        )

    def fetch_media(self, attachment):
        client = self.client()
        file_path = client.file_path(attachment.media_id)
        return download(client.file_url(file_path), TrustedHosts((), self.api_base_url()),
                        declared_type=attachment.content_type)

    # --- outbound ----------------------------------------------------------
    def send(self, outbound):
        chat_id = outbound.to
        client = self.client()
        if not outbound.attachments:
            return client.send("sendMessage", json={"chat_id": chat_id, "text": outbound.text})
        attachment = outbound.attachments[0]
        method, field = SEND_METHODS.get(attachment.content_type, ("sendDocument", "document"))
        data = {"chat_id": chat_id}
        if outbound.text:
            data["caption"] = outbound.text
        files = {field: (attachment.filename or "attachment", attachment.content, attachment.content_type)}
        return client.send(method, data=data, files=files)
