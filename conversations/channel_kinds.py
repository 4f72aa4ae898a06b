"""What the domain must know about a channel kind, registered by the adapters at start-up.

The domain never imports an adapter; `channels_adapters` registers each
kind's rules here when the app is ready (dependency inversion).
"""
from dataclasses import dataclass, field


@dataclass(frozen=True)
class ReplyTemplate:
    """A message template approved by the provider, configured on one channel (WhatsApp)."""

    name: str
    language: str
    variables: tuple[str, ...] = ()
    # The approved text with {{variable}} placeholders: what the customer reads, kept in the history.
    body: str = ""

    def render(self, values):
        text = self.body
        for name in self.variables:
            text = text.replace("{{" + name + "}}", values[name])
        return text


def _no_templates(config):
    return ()


@dataclass(frozen=True)
class ChannelKindRules:
    label: str
    identity_kinds: frozenset | None  # None: any identity kind
    reaches_any_identity: bool  # False: only identities that wrote on this very channel
    max_length: int | None = None
    reply_window_hours: int | None = None
    human_agent_window_hours: int | None = None
    templates_outside_window: bool = False
    max_attachments: int = 0
    max_caption_length: int | None = None
    # Replies may copy the conversation's participants (email Cc); their replies join the thread.
    carbon_copies: bool = False
    # config -> the ReplyTemplates a channel of this kind has.
    templates: callable = field(default=_no_templates)
    # False for kinds that only bring things in (a telephony system's calls): never offered for replies.
    sends_replies: bool = True


_RULES = {}


def register(kind, rules):
    _RULES[kind] = rules


def rules_for(kind):
    return _RULES.get(kind, ChannelKindRules(label=kind, identity_kinds=frozenset(), reaches_any_identity=False))


def known_kinds():
    return sorted(_RULES)
