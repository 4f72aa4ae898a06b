"""What the domain must know about a channel kind, registered by the adapters at start-up.

The domain never imports an adapter; `channels_adapters` registers each
kind's rules here when the app is ready (dependency inversion).
"""
from dataclasses import dataclass


@dataclass(frozen=True)
class ChannelKindRules:
    label: str
    identity_kinds: frozenset | None  # None: any identity kind
    reaches_any_identity: bool  # False: only identities that wrote on this very channel
    max_length: int | None = None
    reply_window_hours: int | None = None
    attachments: bool = False


_RULES = {}


def register(kind, rules):
    _RULES[kind] = rules


def rules_for(kind):
    return _RULES.get(kind, ChannelKindRules(label=kind, identity_kinds=frozenset(), reaches_any_identity=False))


def known_kinds():
    return sorted(_RULES)
