"""Provider media of inbound messages: stored once fetched, or kept with the reason it could not be."""
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.text import get_valid_filename

from .. import events
from ..models import Attachment


def _locked(attachment_id):
    return Attachment.objects.select_for_update(of=("self",)).select_related("message__conversation").get(
        pk=attachment_id
    )


@transaction.atomic
def store_fetched_media(attachment_id, content, content_type, filename=""):
    """Keep the bytes of a referenced attachment; a second fetch of the same one changes nothing."""
    attachment = _locked(attachment_id)
    if attachment.file:
        return attachment
    name = get_valid_filename(attachment.filename or filename or "media") or "media"
    attachment.file.save(name, ContentFile(content), save=False)
    attachment.filename = attachment.filename or name
    attachment.content_type = (content_type or attachment.content_type)[:120]
    attachment.size = len(content)
    attachment.fetch_error = ""
    attachment.save()
    message = attachment.message
    events.message_updated(message)
    return attachment


@transaction.atomic
def record_fetch_failure(attachment_id, reason):
    """The attachment stays, with why its file is missing (shown to agents instead of the file)."""
    attachment = _locked(attachment_id)
    if attachment.file:
        return attachment
    attachment.fetch_error = reason[:2000]
    attachment.save(update_fields=["fetch_error"])
    message = attachment.message
    events.message_updated(message)
    return attachment
