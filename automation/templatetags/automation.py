"""The "Why?" panel a conversation page shows: what the rules decided about it, newest first."""
from django import template

from ..models import RuleEvaluation

register = template.Library()
WHY_PANEL_ROWS = 20


@register.inclusion_tag("automation/_why_panel.html")
def why_panel(conversation):
    return {"evaluations": RuleEvaluation.objects.filter(conversation=conversation)[:WHY_PANEL_ROWS]}
