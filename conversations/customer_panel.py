"""Facts for the console's customer panel: pages viewed, satisfaction ratings, an unproven sender."""
import bisect

from .models import CsatRating, Message, Touchpoint

TOUCHPOINTS_SHOWN = 10


def touchpoints_before_writing(conversation):
    """The latest page views, each with the time until the customer's next message ("2 min before writing")."""
    views = list(Touchpoint.objects.filter(customer_id=conversation.customer_id)[:TOUCHPOINTS_SHOWN])
    if not views:
        return []
    written = list(
        Message.objects.filter(conversation=conversation, direction=Message.Direction.INBOUND,
                               created_at__gte=views[-1].viewed_at)
        .order_by("created_at").values_list("created_at", flat=True)[:500]
    )
    rows = []
    for view in views:
        index = bisect.bisect_left(written, view.viewed_at)
        next_message_at = written[index] if index < len(written) else None
        rows.append({"touchpoint": view, "next_message_at": next_message_at,
                     "minutes_before": int((next_message_at - view.viewed_at).total_seconds() // 60)
                     if next_message_at else None})
    return rows


def csat_ratings(conversation):
    return list(CsatRating.objects.filter(cycle__conversation=conversation).select_related("cycle", "channel")
                .order_by("-cycle__resolved_at"))


def last_sender_unverified(conversation):
    """True when the customer's latest message came from an identity nobody has proven."""
    last = (Message.objects.filter(conversation=conversation, direction=Message.Direction.INBOUND)
            .exclude(identity=None).select_related("identity").order_by("-created_at", "-id").first())
    return bool(last and not last.identity.verified)
