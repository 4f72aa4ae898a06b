"""Canned responses: saved answers an agent inserts with /shortcut, shared with everyone or personal."""
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from .. import variables
from ..models import CannedResponse
from ..visibility import sees_everything
from .errors import ActionError

MAX_TITLE_LENGTH = 120
MAX_TEXT_LENGTH = 5000


def available_to(user):
    """The canned responses `user` may use: personal ones shadow shared ones of the same shortcut."""
    responses = {}
    for response in CannedResponse.objects.filter(Q(owner=None) | Q(owner=user)).order_by("owner_id", "shortcut"):
        if response.shortcut not in responses or response.owner_id:
            responses[response.shortcut] = response
    return sorted(responses.values(), key=lambda r: r.shortcut)


def may_manage(user, response):
    return response.owner_id == user.pk if response.owner_id else sees_everything(user)


def expand(text, context):
    """`text` filled from a variables context, or the reason it cannot be sent on this conversation.

    Returns (text, problem): on a problem the text stays unfilled for the agent to complete by hand.
    """
    try:
        return variables.render(text, context), ""
    except variables.TemplateProblem as exc:
        return text, str(exc)


def _clean(shortcut, title, text):
    shortcut = slugify((shortcut or "").lstrip("/"))[:40]
    title, text = (title or "").strip(), (text or "").strip()
    if not shortcut:
        raise ActionError(_("A shortcut is letters, digits and dashes."), field="shortcut")
    if not title or len(title) > MAX_TITLE_LENGTH:
        raise ActionError(_("A title is 1 to %(max)d characters.") % {"max": MAX_TITLE_LENGTH}, field="title")
    if not text or len(text) > MAX_TEXT_LENGTH:
        raise ActionError(_("A text is 1 to %(max)d characters.") % {"max": MAX_TEXT_LENGTH}, field="text")
    try:
        variables.check(text)
    except variables.TemplateProblem as exc:
        raise ActionError(str(exc), field="text") from exc
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
