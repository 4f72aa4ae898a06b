"""The one place that maps a channel kind to its adapter class."""
from .api.adapter import ApiAdapter
from .cti.adapter import CtiAdapter
from .email.adapter import EmailAdapter
from .meta.messenger import InstagramAdapter, MessengerAdapter
from .meta.whatsapp_cloud import WhatsAppCloudAdapter
from .telegram.adapter import TelegramAdapter
from .twilio.adapter import TwilioSmsAdapter, TwilioWhatsAppAdapter
from .webchat.adapter import WebchatAdapter

ADAPTERS = {
    ApiAdapter.kind: ApiAdapter,
    CtiAdapter.kind: CtiAdapter,
    EmailAdapter.kind: EmailAdapter,
    TwilioSmsAdapter.kind: TwilioSmsAdapter,
    TwilioWhatsAppAdapter.kind: TwilioWhatsAppAdapter,
    WhatsAppCloudAdapter.kind: WhatsAppCloudAdapter,
    MessengerAdapter.kind: MessengerAdapter,
    InstagramAdapter.kind: InstagramAdapter,
    TelegramAdapter.kind: TelegramAdapter,
    WebchatAdapter.kind: WebchatAdapter,
}


class UnknownChannelKind(KeyError):
    pass


def adapter_class(kind):
    try:
        return ADAPTERS[kind]
    except KeyError:
        raise UnknownChannelKind(kind) from None


def adapter_for(channel):
    return adapter_class(channel.kind)(channel)
