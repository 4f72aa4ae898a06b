"""Messages as the widget shows them: only what the visitor may know (no agent ids, no notes)."""
from django.core import signing
from django.urls import reverse

from conversations.channel_kinds import rules_for
from conversations.models import Message

FILE_SALT = "omnidesk.webchat.file"
FILE_LINK_MAX_AGE_SECONDS = 24 * 3600


def file_token(attachment_id, channel_id):
    return signing.dumps({"a": attachment_id, "c": str(channel_id)}, salt=FILE_SALT)


def attachment_of(token):
    """(attachment id, channel id) of a file link; raises signing.BadSignature."""
    data = signing.loads(token, salt=FILE_SALT, max_age=FILE_LINK_MAX_AGE_SECONDS)
    return data["a"], data["c"]


def _author_name(message):
    author = message.author
    if author is None:
        return ""
    profile = getattr(author, "agent", None)
    return profile.display_name if profile else (author.first_name or author.get_username())


def message_payload(message, channel):
    inbound = message.direction == Message.Direction.INBOUND
    data = {
        "id": message.pk,
        "direction": "visitor" if inbound else "agent",
        "text": message.text,
        "author": "" if inbound else _author_name(message),
        "channel": rules_for(message.channel.kind).label if message.channel_id else "",
        "created_at": message.created_at.isoformat(),
        "status": message.status,
        "attachments": [
            {
                "name": attachment.filename,
                "type": attachment.content_type,
                "size": attachment.size,
                "url": reverse("webchat-file", args=[file_token(attachment.pk, channel.pk)]),
            }
            for attachment in message.attachments.all()
            if attachment.file
        ],
    }
    if inbound and message.channel_id == channel.pk and message.external_id:
        data["client_id"] = message.external_id.partition(":")[2]
    return data
