"""Customer satisfaction: one rating per resolved conversation cycle, and the link that asks for it."""
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .. import events
from ..csat_links import csat_url
from ..models import ConversationCycle, CsatRating
from .assignment import announce_change
from .errors import ActionError
from .replies import send_reply

MAX_COMMENT_LENGTH = 2000


def _clean(rating, comment):
    if isinstance(rating, bool) or not isinstance(rating, int):
        try:
            rating = int(str(rating).strip())
        except ValueError:
            raise ActionError(_("The rating is a whole number from 1 to 5."), field="rating") from None
    if not CsatRating.MIN_RATING <= rating <= CsatRating.MAX_RATING:
        raise ActionError(_("The rating is a whole number from 1 to 5."), field="rating")
    comment = (comment or "").strip() if isinstance(comment, str) or comment is None else None
    if comment is None:
        raise ActionError(_("The comment must be text."), field="comment")
    if len(comment) > MAX_COMMENT_LENGTH:
        raise ActionError(_("The comment is longer than %(max)d characters.") % {"max": MAX_COMMENT_LENGTH},
                          field="comment")
    return rating, comment


@transaction.atomic
def rate_cycle(cycle_id, rating, comment="", channel=None):
    """Store (or change) the customer's rating of a resolved cycle; returns the CsatRating."""
    rating, comment = _clean(rating, comment)
    cycle = (
        ConversationCycle.objects.select_for_update(of=("self",)).select_related("conversation")
        .filter(pk=cycle_id).first()
    )
    if cycle is None or cycle.resolved_at is None:
        raise ActionError(_("This conversation has not been resolved yet."), field="cycle")
    now = timezone.now()
    csat, created = CsatRating.objects.get_or_create(
        cycle=cycle, defaults={"rating": rating, "comment": comment, "channel": channel, "created_at": now,
                               "updated_at": now},
    )
    if not created:
        csat.rating, csat.updated_at = rating, now
        csat.comment = comment or csat.comment
        csat.save(update_fields=["rating", "comment", "updated_at"])
    conversation = cycle.conversation
    events.conversation_changed(conversation)
    announce_change(conversation.pk, {"csat"})
    return csat


def last_resolved_cycle(conversation):
    return conversation.cycles.filter(resolved_at__isnull=False).order_by("-resolved_at", "-id").first()


def send_csat_link(conversation, author, channel=None):
    """Send the rating link of the last resolved cycle on `channel` (default: the customer's last channel)."""
    cycle = last_resolved_cycle(conversation)
    if cycle is None:
        raise ActionError(_("Resolve the conversation before asking for a rating."))
    with translation.override(conversation.customer.writing_language):
        text = _("How did we do? Rate this conversation from 1 to 5: %(url)s") % {"url": csat_url(cycle)}
    return send_reply(conversation, author, text, channel=channel, metadata={"csat_cycle": cycle.pk})
