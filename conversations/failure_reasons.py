"""Why a message was not delivered: a code and its parameters, stored as such, put into words when read.

A reason is rendered in the language of whoever reads it (the agent's, in the console), so it is never
stored as text. The words of each code are registered here: the domain's own below, and each provider's
error table by its adapter package (at import), so the domain renders a provider's reasons without
importing the provider.

Parameters every code may carry: `provider` and `provider_code` (the provider's own error code),
`detail` (the provider's own words, shown as they are) and `attempts` (delivery gave up after so many).
"""
from dataclasses import dataclass, field

from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

CATEGORIES = {
    "invalid_recipient": _("Invalid number or recipient"),
    "blocked": _("Blocked"),
    "window_closed": _("Reply window closed"),
    "rate_limited": _("Rate limited"),
    "unreachable": _("Recipient unreachable"),
    "template_rejected": _("Template rejected"),
    "credentials": _("Channel credentials refused"),
    "too_long": _("Message too long"),
    "media_rejected": _("Attachment rejected"),
    "temporary": _("Provider temporarily unavailable"),
    "rejected": _("Rejected by the provider"),
}


@dataclass(frozen=True)
class FailureReason:
    code: str
    params: dict = field(default_factory=dict)

    def with_params(self, **params):
        return FailureReason(self.code, {**self.params, **params})

    def __str__(self):
        return describe(self.code, self.params)


@dataclass(frozen=True)
class Explanation:
    text: str  # lazy; may use %(name)s parameters
    category: str = ""


_EXPLANATIONS = {}


def register(code, text, category=""):
    if category and category not in CATEGORIES:
        raise ValueError(f"Unknown failure category {category!r}.")
    _EXPLANATIONS[code] = Explanation(text, category)


def is_registered(code):
    return code in _EXPLANATIONS


# The provider's (or integrator's) own words, shown as they are; also every reason stored as text before codes.
PROVIDER_TEXT = "provider_text"
PROVIDER_FAILED = "provider_failed"
NO_ADDRESS = "no_address"
INTERNAL_ERROR = "internal_error"
register(PROVIDER_FAILED, _("The provider reported a failure."))
register(NO_ADDRESS, _("The customer has no address on this channel."))
register(INTERNAL_ERROR, _("Internal error while sending: %(error)s."))


def provider_text(text):
    return FailureReason(PROVIDER_TEXT, {"text": str(text)})


class _Parameters(dict):
    """A missing parameter renders as nothing rather than failing a page."""

    def __missing__(self, key):
        return ""


def describe(code, params):
    """The reason in words, in the active language; "" for no reason."""
    if not code:
        return ""
    params = params or {}
    explanation = _EXPLANATIONS.get(code)
    if code == PROVIDER_TEXT or explanation is None:
        text = str(params.get("text") or "") or gettext("The provider reported a failure.")
    else:
        text = str(explanation.text) % _Parameters(params) if "%(" in str(explanation.text) else str(explanation.text)
        if explanation.category:
            text = f"{CATEGORIES[explanation.category]}: {text}"
    if params.get("text_not_sent"):
        text = gettext("The attachment was sent, the text was not.") + " " + text
    if params.get("detail"):
        text += f" ({params.get('provider') or '?'}: {params['detail']})"
    if params.get("provider_code") not in (None, ""):
        text += " " + gettext("[%(provider)s error %(code)s]") % {
            "provider": params.get("provider") or "?", "code": params["provider_code"]}
    attempts = params.get("attempts")
    if attempts:
        text += " " + ngettext("Gave up after %(count)d attempt.", "Gave up after %(count)d attempts.",
                               attempts) % {"count": attempts}
    return text
