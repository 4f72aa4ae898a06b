"""Canned responses: saved answers an agent inserts with /shortcut, shared with everyone or personal."""
import re

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from ..models import CannedResponse
from ..visibility import sees_everything
from .errors import ActionError

MAX_TITLE_LENGTH = 120
MAX_TEXT_LENGTH = 5000
VARIABLE = re.compile(r"\{\{\s*([a-z_.]+)\s*\}\}")


def _first_name(name):
    return (name or "").strip().split(" ")[0]


# Each variable and how it is read from (customer, agent profile).
VARIABLES = {
    "customer.name": lambda customer, agent: customer.name,
    "customer.first_name": lambda customer, agent: _first_name(customer.name),
    "agent.name": lambda customer, agent: agent.display_name if agent else "",
    "agent.first_name": lambda customer, agent: _first_name(agent.display_name) if agent else "",
}


def available_to(user):
    """The canned responses `user` may use: personal ones shadow shared ones of the same shortcut."""
    responses = {}
    for response in CannedResponse.objects.filter(Q(owner=None) | Q(owner=user)).order_by("owner_id", "shortcut"):
        if response.shortcut not in responses or response.owner_id:
            responses[response.shortcut] = response
    return sorted(responses.values(), key=lambda r: r.shortcut)


def may_manage(user, response):
    return response.owner_id == user.pk if response.owner_id else sees_everything(user)


def expand(text, customer, agent_profile):
    """Fill the variables of `text`; a value the customer does not have becomes empty."""
    return VARIABLE.sub(lambda m: VARIABLES[m.group(1)](customer, agent_profile) if m.group(1) in VARIABLES
                        else m.group(0), text)


def _clean(shortcut, title, text):
    shortcut = slugify((shortcut or "").lstrip("/"))[:40]
    title, text = (title or "").strip(), (text or "").strip()
    if not shortcut:
        raise ActionError(_("A shortcut is letters, digits and dashes."), field="shortcut")
    if not title or len(title) > MAX_TITLE_LENGTH:
        raise ActionError(_("A title is 1 to %(max)d characters.") % {"max": MAX_TITLE_LENGTH}, field="title")
    if not text or len(text) > MAX_TEXT_LENGTH:
        raise ActionError(_("A text is 1 to %(max)d characters.") % {"max": MAX_TEXT_LENGTH}, field="text")
    unknown = sorted({name for name in VARIABLE.findall(text) if name not in VARIABLES})
    if unknown:
        raise ActionError(
            _("Unknown variable %(names)s; use one of %(known)s.")
            % {"names": ", ".join(unknown), "known": ", ".join("{{%s}}" % v for v in VARIABLES)},
            field="text",
        )
    return shortcut, title, text


@transaction.atomic
def save_canned_response(actor, shortcut, title, text, shared, response=None):
    """Create (or change, when `response` is given) a canned response; shared ones are for supervisors to manage."""
    shortcut, title, text = _clean(shortcut, title, text)
    if shared and not sees_everything(actor):
        raise ActionError(_("Only supervisors and admins manage shared responses."), field="shared")
    if response is not None and not may_manage(actor, response):
        raise ActionError(_("You may not change this response."))
    response = response or CannedResponse()
    response.shortcut, response.title, response.text = shortcut, title, text
    response.owner = None if shared else actor
    response.updated_at = timezone.now()
    try:
        with transaction.atomic():
            response.save()
    except IntegrityError:
        raise ActionError(_("The shortcut /%(shortcut)s exists already.") % {"shortcut": shortcut},
                          field="shortcut") from None
    return response


def delete_canned_response(actor, response):
    if not may_manage(actor, response):
        raise ActionError(_("You may not delete this response."))
    response.delete()
