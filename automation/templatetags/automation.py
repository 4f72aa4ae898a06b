"""The "Why?" panel a conversation page shows: what the rules decided about it, newest first."""
from django import template

from ..models import RuleEvaluation

register = template.Library()
WHY_PANEL_ROWS = 20


@register.inclusion_tag("automation/_why_panel.html")
def why_panel(conversation):
    return {"evaluations": RuleEvaluation.objects.filter(conversation=conversation)[:WHY_PANEL_ROWS]}


@register.inclusion_tag("automation/_macro_bar.html", takes_context=True)
def macro_bar(context, conversation):
    from ..actions.macros import available_to

    request = context["request"]
    return {"macros": list(available_to(request.user)), "conversation": conversation, "request": request}


@register.inclusion_tag("automation/_macro_bulk.html", takes_context=True)
def macro_bulk(context):
    from ..actions.macros import available_to

    request = context["request"]
    return {"macros": list(available_to(request.user)), "request": request}
