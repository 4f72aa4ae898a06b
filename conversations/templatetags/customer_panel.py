from django import template

from .. import customer_panel

register = template.Library()


@register.inclusion_tag("webchat/console_customer_facts.html")
def customer_facts(conversation):
    """Touchpoints, CSAT ratings, "sender unverified" and merge suggestions of one conversation."""
    return {
        "conversation": conversation,
        "touchpoints": customer_panel.touchpoints_before_writing(conversation),
        "ratings": customer_panel.csat_ratings(conversation),
        "suggestions": customer_panel.pending_merge_suggestions(conversation),
        "sender_unverified": customer_panel.last_sender_unverified(conversation),
    }
