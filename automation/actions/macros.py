"""Macros: saved action lists an agent runs on a conversation or in bulk, previewed first.

Before anything runs on a conversation, every reply in the macro is checked against the channel's rules
(WhatsApp's 24-hour window...) and every variable against the conversation: a refusal stops the whole
macro for that conversation, and the others go on, each in its own transaction.
"""
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from conversations.actions.errors import ActionError
from conversations.models import Conversation
from conversations.visibility import sees_everything, team_ids, visible_conversations

from .. import rule_actions
from ..models import Macro

MAX_BULK = 200


def available_to(user):
    """The macros `user` may run: their own, their teams', and everyone's."""
    return Macro.objects.filter(Q(owner=user) | Q(owner=None, team_id__in=team_ids(user)) |
                                Q(owner=None, team=None)).select_related("team", "owner")


def may_manage(user, macro):
    return macro.owner_id == user.pk if macro.owner_id else sees_everything(user)


def _clean(name, actions):
    name = (name or "").strip()
    if not name:
        raise ActionError(_("Give the macro a name."), field="name")
    rule_actions.check_list(actions, _("A macro has 1 to %(max)d actions."))
    return name[:120], actions


def save_macro(actor, name, actions, scope="personal", team=None, macro=None):
    """Create or change a macro. Team and global macros are for supervisors and admins to manage."""
    name, actions = _clean(name, list(actions) if isinstance(actions, (list, tuple)) else actions)
    if scope not in ("personal", "team", "global"):
        raise ActionError(_("A macro is personal, for a team, or for everyone."), field="scope")
    if scope != "personal" and not sees_everything(actor):
        raise ActionError(_("Only supervisors and admins manage team and shared macros."), field="scope")
    if scope == "team" and team is None:
        raise ActionError(_("Choose the team."), field="team")
    if macro is not None and not may_manage(actor, macro):
        raise ActionError(_("You may not change this macro."))
    macro = macro or Macro(created_by=actor)
    macro.name, macro.actions = name, actions
    macro.owner = actor if scope == "personal" else None
    macro.team = team if scope == "team" else None
    macro.updated_at = timezone.now()
    macro.save()
    return macro


def delete_macro(actor, macro):
    if not may_manage(actor, macro):
        raise ActionError(_("You may not delete this macro."))
    macro.delete()


def _describe(action, conversation):
    kind = action["type"]
    detail = action.get("label") or action.get("priority") or action.get("status") or ""
    if kind == "send_reply":
        # The text this customer would get (their language's variant, if the macro has one).
        detail = rule_actions.text_for(action, conversation.customer)[:80]
    return f"{kind} {detail}".strip()


def _targets(actor, conversation_ids):
    if len(conversation_ids) > MAX_BULK:
        raise ActionError(_("At most %(max)d conversations at once.") % {"max": MAX_BULK}, field="conversations")
    return list(visible_conversations(actor).filter(pk__in=conversation_ids).select_related(
        "customer", "last_inbound_channel", "team"))


def preview(actor, macro, conversation_ids):
    """What running `macro` would do on each visible conversation: its steps, or why it would be refused."""
    return [{"conversation": conversation.pk, "customer": conversation.customer.name,
             "refused": rule_actions.refusal(conversation, macro.actions, actor),
             "steps": [_describe(action, conversation) for action in macro.actions]}
            for conversation in _targets(actor, conversation_ids)]


def run(actor, macro, conversation_ids):
    """Run `macro` on each visible conversation, each all-or-nothing; returns one result per conversation."""
    if not available_to(actor).filter(pk=macro.pk).exists():
        raise ActionError(_("You may not use this macro."))
    results = []
    for conversation in _targets(actor, conversation_ids):
        reason = rule_actions.refusal(conversation, macro.actions, actor)
        if reason:
            results.append({"conversation": conversation.pk, "ok": False, "error": reason, "done": []})
            continue
        context = rule_actions.ActionContext(actor=actor, macro=macro)
        done = []
        try:
            with transaction.atomic():
                locked = Conversation.objects.select_for_update(of=("self",)).select_related(
                    "customer", "last_inbound_channel", "team").get(pk=conversation.pk)
                for action in macro.actions:
                    done.append(rule_actions.perform(locked, action, context))
        except ActionError as exc:
            results.append({"conversation": conversation.pk, "ok": False, "error": exc.message, "done": []})
            continue
        results.append({"conversation": conversation.pk, "ok": True, "error": "", "done": done})
    return results
