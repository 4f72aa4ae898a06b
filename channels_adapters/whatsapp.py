"""WhatsApp's own rules, the same whichever provider (Twilio, Cloud API) carries the messages."""
from .types import Capabilities


def whatsapp_capabilities(max_length):
    """One attachment with a caption, a 24-hour window, then approved templates only."""
    return Capabilities(
        attachments=True,
        max_attachments=1,
        max_length=max_length,
        max_caption_length=1024,
        reply_window_hours=24,
        templates_outside_window=True,
    )
