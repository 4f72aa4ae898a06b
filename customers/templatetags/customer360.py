from django import template

from conversations.visibility import is_admin

from .. import panel

register = template.Library()


@register.inclusion_tag("customers/console_panel.html", takes_context=True)
def customer_360(context, conversation):
    """The Customer 360 sections of the console's customer panel (the conversation is one the agent may see)."""
    request = context.get("request")
    return {**panel.panel_facts(conversation), "request": request,
            "may_erase": bool(request and is_admin(request.user)), "csrf_token": context.get("csrf_token")}
