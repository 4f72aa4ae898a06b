"""Creating and changing channels: the adapter validates the config, the domain stores it."""
from conversations.actions import directory
from conversations.actions.errors import ActionError

from .base import ConfigError
from .registry import ADAPTERS, UnknownChannelKind, adapter_class


def _clean(kind, config, previous=None):
    try:
        return adapter_class(kind).clean_config(config, previous)
    except UnknownChannelKind:
        raise ActionError(f"Unknown channel kind; one of: {', '.join(sorted(ADAPTERS))}.", field="kind") from None
    except ConfigError as exc:
        raise ActionError(str(exc), field="config") from exc


def create_channel(kind, name, config, team=None):
    if not (name or "").strip():
        raise ActionError("A channel needs a name.", field="name")
    return directory.create_channel(kind, name, _clean(kind, config or {}), team=team)


def update_channel(channel, name=None, team=..., config=None, active=None):
    cleaned = _clean(channel.kind, config, channel.config) if config is not None else None
    return directory.update_channel(channel, name=name, team=team, config=cleaned, active=active)


def public_config(channel):
    return adapter_class(channel.kind).public_config(channel.config)


def public_extras(channel):
    return adapter_class(channel.kind)(channel).public_extras()
