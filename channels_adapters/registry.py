"""The one place that maps a channel kind to its adapter class."""
from .api.adapter import ApiAdapter
from .webchat.adapter import WebchatAdapter

ADAPTERS = {
    ApiAdapter.kind: ApiAdapter,
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
