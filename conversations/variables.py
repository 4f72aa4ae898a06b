"""The one template language of texts that go to customers (canned responses, rule replies, macros).

Deliberately tiny and safe by construction: `{{ path }}` and `{{ path|default:"text" }}` and nothing
else. Paths are looked up in a fixed context of plain strings built here, never on model instances,
so `{{ customer.__class__ }}` or any attribute outside the context cannot be reached: it is not even
valid syntax. A variable that would come out empty without a default blocks the send, so no message
goes out as "Olá , seu pedido..." (and no WhatsApp template variable is sent empty).
"""
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

# One placeholder, as written between {{ and }}; no braces inside, so a scan never backtracks over the text.
PLACEHOLDER = re.compile(r"\{\{([^{}]*)\}\}")
EXPRESSION = re.compile(
    r"""^\s*(?P<path>[a-z][a-z0-9_]*(?:\.[a-z0-9][a-z0-9_-]*)*)\s*"""
    r"""(?:\|\s*default\s*:\s*"(?P<default>[^"\\{}]*)"\s*)?$"""
)
# Anything else that looks like template code is refused rather than sent as is.
STRAY_SYNTAX = re.compile(r"\{%|%\}|\{\{|\}\}")
ATTRIBUTES_PREFIX = "customer.attributes."

# Every variable a text may use, with what it means (shown in the editors).
VARIABLES = {
    "customer.name": "Customer's full name",
    "customer.first_name": "Customer's first name",
    "customer.email": "Customer's email address",
    "customer.phone": "Customer's phone number",
    "conversation.id": "Conversation number",
    "conversation.channel": "Channel the customer last wrote on",
    "conversation.priority": "Conversation priority",
    "agent.name": "Agent's name",
    "agent.first_name": "Agent's first name",
    "team.name": "Team's name",
}
# Variables layers add at start-up (routing: SLA due time, next opening): path -> reader(conversation).
LAYER_READERS = {}


def register(path, description, reader):
    """A layer's variable: `reader(conversation)` returns its text ("" when there is none)."""
    VARIABLES[path] = description
    LAYER_READERS[path] = reader


class TemplateProblem(ValueError):
    """A text that cannot be saved or sent as it is; the message is fit to show to the agent."""


@dataclass(frozen=True)
class Placeholder:
    source: str
    path: str
    default: str | None


def _placeholders(text):
    found = []
    for match in PLACEHOLDER.finditer(text):
        expression = EXPRESSION.match(match.group(1))
        if expression is None:
            raise TemplateProblem(_("%(placeholder)s is not a variable: write {{ customer.first_name }} or "
                                    '{{ customer.first_name|default:"cliente" }}.') % {"placeholder": match.group(0)})
        path = expression.group("path")
        if path not in VARIABLES and not (path.startswith(ATTRIBUTES_PREFIX) and len(path) > len(ATTRIBUTES_PREFIX)):
            raise TemplateProblem(_("Unknown variable %(names)s; use one of %(known)s.") % {
                "names": path, "known": ", ".join("{{ %s }}" % name for name in VARIABLES)})
        found.append(Placeholder(match.group(0), path, expression.group("default")))
    if STRAY_SYNTAX.search(PLACEHOLDER.sub("", text)):
        raise TemplateProblem(_("Template tags are not allowed; only {{ variables }}."))
    return found


def check(text):
    """Raise TemplateProblem when `text` uses anything but known variables; return the variables used."""
    return [placeholder.path for placeholder in _placeholders(text)]


def render(text, context):
    """Fill `text` from `context` (see context_for); TemplateProblem names the variables that came out empty."""
    empty = []

    def value_of(placeholder):
        value = context.get(placeholder.path, "")
        if not value:
            if placeholder.default is None:
                empty.append(placeholder.path)
            return placeholder.default or ""
        return value

    rendered = text
    for placeholder in _placeholders(text):
        rendered = rendered.replace(placeholder.source, value_of(placeholder), 1)
    if empty:
        raise TemplateProblem(
            _("%(names)s would be empty for this conversation: fill it in, or give it a default, e.g. "
              '{{ %(first)s|default:"…" }}.') % {"names": ", ".join(dict.fromkeys(empty)), "first": empty[0]})
    return rendered


def _first_name(name):
    return (name or "").strip().split(" ")[0]


class Context:
    """Variable path -> value, each read only when a text uses it (no query for variables nobody wrote)."""

    def __init__(self, readers):
        self._readers = readers
        self._values = {}

    def get(self, path, default=""):
        if path not in self._values:
            reader = self._readers.get(path)
            self._values[path] = reader() if reader else default
        return self._values[path]


def context_for(conversation, agent_profile=None):
    """The fixed context of `conversation`: plain strings keyed by variable path, nothing else reachable."""
    customer = conversation.customer
    agent_name = agent_profile.display_name if agent_profile else ""

    def address(kind):
        return lambda: customer.identities.filter(kind=kind).order_by("-verified", "id").values_list(
            "address", flat=True).first() or ""

    readers = {
        "customer.name": lambda: customer.name.strip(),
        "customer.first_name": lambda: _first_name(customer.name),
        "customer.email": address("email"),
        "customer.phone": address("phone"),
        "conversation.id": lambda: str(conversation.pk),
        "conversation.channel": lambda: (conversation.last_inbound_channel.name
                                         if conversation.last_inbound_channel_id else ""),
        "conversation.priority": lambda: (conversation.get_priority_display()
                                          if conversation.priority != conversation.Priority.NONE else ""),
        "agent.name": lambda: agent_name,
        "agent.first_name": lambda: _first_name(agent_name),
        "team.name": lambda: conversation.team.name if conversation.team_id else "",
    }
    for path, reader in LAYER_READERS.items():
        readers[path] = lambda reader=reader: reader(conversation)
    for key, value in (customer.attributes or {}).items():
        if isinstance(value, (str, int, float)) and not isinstance(value, bool):
            readers[ATTRIBUTES_PREFIX + str(key).lower()] = lambda value=value: str(value)
    return Context(readers)
