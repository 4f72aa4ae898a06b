"""Facebook Messenger and Instagram messaging: the same Messenger Platform events and Send API.

Instagram accounts linked to a Facebook Page send through the Page
(`POST /{page_id}/messages`) with page-scoped Instagram user ids.
"""
from django.utils.translation import gettext_lazy as _

from conversations import failure_reasons
from conversations.failure_reasons import FailureReason

from .. import placeholders
from ..base import PayloadError, clean_pattern, epoch_datetime
from ..media import TrustedHosts, download
from ..types import Attachment, Capabilities, InboundMessage, InboundReceipt, Sender, SendResult
from .webhooks import MetaAdapter, objects

NOTHING_TO_SEND = "meta.nothing_to_send"
failure_reasons.register(NOTHING_TO_SEND, _("Nothing to send."))

SEND_TYPES = {"image": "image", "video": "video", "audio": "audio"}


class MessengerAdapter(MetaAdapter):
    kind = "messenger"
    label = "Messenger"
    webhook_object = "page"
    identity_kind = "messenger"
    token_key = "page_access_token"
    identity_kinds = frozenset({"messenger"})
    reaches_any_identity = False
    required_config = ("page_id", "page_access_token", "app_secret")
    optional_config = ("verify_token", "api_base_url", "api_version")
    secret_config = frozenset({"page_access_token", "app_secret"})
    capabilities = Capabilities(
        attachments=True, max_attachments=1, max_length=2000, reply_window_hours=24, human_agent_window_hours=7 * 24
    )
    media_hosts = ("*.fbcdn.net", "*.fbsbx.com", "*.cdninstagram.com")

    @classmethod
    def check_config(cls, config, errors):
        super().check_config(config, errors)
        clean_pattern(errors, config, "page_id", r"\d{5,30}", "the numeric Page ID")

    def _is_ours(self, entry):
        # One Meta app may serve several pages: only this channel's page is its business.
        return str(entry.get("id")) == str(self.config["page_id"])

    # --- inbound -----------------------------------------------------------
    def parse(self, request):
        items = []
        for entry in self.entries(request):
            if not self._is_ours(entry):
                continue
            for event in objects(entry, "messaging"):
                item = self._event(event)
                if item is not None:
                    items.append(item)
        return items

    def _event(self, event):
        user = str((event.get("sender") or {}).get("id") or "")
        if not user:
            raise PayloadError(f"a {self.label} event without sender")
        at = epoch_datetime(event.get("timestamp"), scale=1000)
        message = event.get("message")
        if isinstance(message, dict):
            # Echoes are copies of what the page sent (by us or in Meta's inbox), not the customer's words.
            return None if message.get("is_echo") else self._message(user, message, at)
        if isinstance(event.get("reaction"), dict):
            return self._reaction(user, event["reaction"], at, event.get("timestamp"))
        if isinstance(event.get("postback"), dict):
            postback = event["postback"]
            return InboundMessage(
                external_id=str(postback.get("mid") or f"postback:{user}:{event.get('timestamp')}"),
                sender=Sender(kind=self.identity_kind, address=user),
                text=str(postback.get("title") or postback.get("payload") or ""),
                sent_at=at,
                metadata={"postback_payload": postback.get("payload", "")},
            )
        for key, status in (("delivery", "delivered"), ("read", "read")):
            if isinstance(event.get(key), dict):
                # Watermarks: everything sent before it reached that state (Instagram only gives the time seen).
                up_to = epoch_datetime(event[key].get("watermark"), scale=1000) or at
                if up_to is not None:
                    return InboundReceipt(self.identity_kind, user, status, up_to)
        return None  # opt-ins, referrals, handovers: nothing for the conversation

    def _message(self, user, message, at):
        if not message.get("mid"):
            raise PayloadError(f"a {self.label} message without mid")
        texts = [str(message.get("text") or "")] if message.get("text") else []
        attachments, metadata = [], {}
        for attachment in objects(message, "attachments"):
            kind = attachment.get("type", "")
            payload = attachment.get("payload") if isinstance(attachment.get("payload"), dict) else {}
            coordinates = payload.get("coordinates") if isinstance(payload.get("coordinates"), dict) else None
            if coordinates:
                args = (coordinates.get("lat"), coordinates.get("long"), attachment.get("title") or "", "")
                texts.append(placeholders.location_text(*args))
                metadata.update(placeholders.location_metadata(*args))
            elif kind in ("image", "video", "audio", "file") and payload.get("url"):
                attachments.append(Attachment(url=str(payload["url"])))
            elif payload.get("url"):  # shared links, posts, reels, story mentions
                texts.append(f"[{self.label} {kind or 'share'}] {payload['url']}")
            else:
                texts.append(placeholders.unsupported_text(self.label, kind))
        if not texts and not attachments:
            texts.append(placeholders.unsupported_text(self.label, "unsupported" if message.get("is_unsupported") else ""))
        if isinstance(message.get("quick_reply"), dict):
            metadata["quick_reply_payload"] = message["quick_reply"].get("payload", "")
        reply_to = message.get("reply_to") if isinstance(message.get("reply_to"), dict) else {}
        return InboundMessage(
            external_id=str(message["mid"]),
            sender=Sender(kind=self.identity_kind, address=user),
            text="\n".join(texts),
            attachments=tuple(attachments),
            sent_at=at,
            reply_to=(str(reply_to["mid"]),) if reply_to.get("mid") else (),
            metadata=metadata,
        )

    def _reaction(self, user, reaction, at, timestamp):
        emoji = reaction.get("emoji", "") if reaction.get("action", "react") == "react" else ""
        return InboundMessage(
            external_id=f"reaction:{reaction.get('mid')}:{user}:{timestamp}",
            sender=Sender(kind=self.identity_kind, address=user),
            text=placeholders.reaction_text(emoji),
            sent_at=at,
            reply_to=(str(reaction["mid"]),) if reaction.get("mid") else (),
            metadata={"reaction": reaction},
            reopens=False,
        )

    def fetch_media(self, attachment):
        # CDN links are signed URLs: no token is needed, and none is sent.
        return download(attachment.url, TrustedHosts(self.media_hosts, self.api_base_url()),
                        declared_type=attachment.content_type)

    # --- outbound ----------------------------------------------------------
    def send(self, outbound):
        base = {"recipient": {"id": outbound.to}, "messaging_type": "RESPONSE"}
        if outbound.human_agent:
            base.update(messaging_type="MESSAGE_TAG", tag="HUMAN_AGENT")
        # A Send API message is a text or an attachment, never both: the file goes first, then the text.
        parts = [
            {"attachment": {"type": SEND_TYPES.get(a.content_type.split("/", 1)[0], "file"),
                            "payload": {"url": a.url, "is_reusable": False}}}
            for a in outbound.attachments
        ]
        if outbound.text:
            parts.append({"text": outbound.text})
        graph = self.graph()
        result = SendResult(ok=False, reason=FailureReason(NOTHING_TO_SEND))
        for index, part in enumerate(parts):
            result = graph.post_message(f"{self.config['page_id']}/messages", {**base, "message": part},
                                        lambda answer: answer.get("message_id"))
            if not result.ok and index > 0:
                # Retrying would send the first part twice: fail for the agent to decide.
                return SendResult(ok=False, reason=result.reason.with_params(text_not_sent=True))
            if not result.ok:
                return result
        return result


class InstagramAdapter(MessengerAdapter):
    kind = "instagram"
    label = "Instagram"
    webhook_object = "instagram"
    identity_kind = "instagram"
    identity_kinds = frozenset({"instagram"})
    optional_config = MessengerAdapter.optional_config + ("instagram_account_id",)
    capabilities = Capabilities(
        attachments=True, max_attachments=1, max_length=1000, reply_window_hours=24, human_agent_window_hours=7 * 24
    )

    @classmethod
    def check_config(cls, config, errors):
        super().check_config(config, errors)
        clean_pattern(errors, config, "instagram_account_id", r"\d{5,30}", "the numeric Instagram account ID")

    def _is_ours(self, entry):
        # Entries carry the Instagram account id; without it in the config, every entry of the app is ours.
        account = self.config.get("instagram_account_id")
        return not account or str(entry.get("id")) == str(account)
