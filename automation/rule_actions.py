"""What a rule or a macro may do, each through the core's own actions (so windows, scoping and delivery hold)."""
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext as _

from conversations import variables
from conversations.actions import assignment, replies
from conversations.actions.errors import ActionError
from conversations.models import Conversation, Message, Team

from routing.actions import queue, sla
from routing.models import QueueEntry, SlaPolicy

from .models import WebhookSubscription

AUTOMATIC_REPLY = "rule"
MAX_ACTIONS = 20


@dataclass
class ActionContext:
    """Who acts and why: a rule (no actor, automatic) or an agent running a macro."""

    actor: object = None
    rule: object = None
    macro: object = None
    root_event_id: str = ""
    facts: dict = field(default_factory=dict)

    @property
    def automatic(self):
        return self.rule is not None


def _label(action):
    label = str(action.get("label", "")).strip().lower()
    if not label:
        raise ActionError(_("Name the label."))
    return label


def _need(action, key, check, message):
    value = action.get(key)
    if not check(value):
        raise ActionError(message)
    return value


def language_code(value):
    """A language as settings.LANGUAGES writes it: "pt_BR" and "pt-BR" are "pt-br"."""
    return str(value or "").strip().lower().replace("_", "-")


def _check_text(text):
    try:
        variables.check(text)
    except variables.TemplateProblem as exc:
        raise ActionError(str(exc)) from exc


def _check_variants(action):
    """A reply's texts per customer language: {"pt-br": "...", "es": "..."}, each a complete text."""
    variants = action.get("variants")
    if variants is None:
        return
    codes = [code for code, _name in settings.LANGUAGES]
    if not isinstance(variants, dict):
        raise ActionError(_("Language variants are an object of language: text."))
    for language, text in variants.items():
        if language_code(language) not in codes:
            raise ActionError(_("Unknown language %(language)s; use one of: %(codes)s.") % {
                "language": language, "codes": ", ".join(codes)})
        if not isinstance(text, str) or not text.strip():
            raise ActionError(_("Write the text of the %(language)s variant, or leave the variant out.") % {
                "language": language})
        _check_text(text)


def check(action):
    """Raise ActionError unless `action` is a complete, valid action of a known type."""
    if not isinstance(action, dict) or action.get("type") not in PERFORMERS:
        raise ActionError(_("Unknown action; use one of: %(types)s.") % {"types": ", ".join(PERFORMERS)})
    kind = action["type"]
    if kind == "assign_agent":
        agent = _need(action, "agent", lambda v: isinstance(v, int), _("Choose the agent."))
        if not get_user_model().objects.filter(pk=agent, is_active=True).exists():
            raise ActionError(_("No such active agent."))
    elif kind == "assign_team":
        team = _need(action, "team", lambda v: isinstance(v, int), _("Choose the team."))
        if not Team.objects.filter(pk=team).exists():
            raise ActionError(_("No such team."))
    elif kind in ("add_label", "remove_label"):
        _label(action)
    elif kind == "set_priority":
        _need(action, "priority", lambda v: v in Conversation.Priority.values, _("Unknown priority."))
    elif kind == "set_status":
        status = _need(action, "status", lambda v: v in Conversation.Status.values, _("Unknown status."))
        if status == Conversation.Status.SNOOZED:
            _need(action, "snooze_minutes", lambda v: isinstance(v, int) and 0 < v <= 60 * 24 * 90,
                  _("Snoozing needs a number of minutes (up to 90 days)."))
    elif kind in ("send_reply", "add_note"):
        _check_text(_need(action, "text", lambda v: isinstance(v, str) and v.strip(), _("Write the text.")))
        if kind == "send_reply":
            _check_variants(action)
        elif "variants" in action:
            raise ActionError(_("A private note is for agents: it has no language variants."))
    elif kind == "apply_sla_policy":
        policy = action.get("policy")
        if policy is not None and not (isinstance(policy, int) and SlaPolicy.objects.filter(pk=policy).exists()):
            raise ActionError(_("No such SLA policy."))
    elif kind == "send_template":
        _need(action, "name", lambda v: isinstance(v, str) and v.strip(), _("Name the approved template."))
        values = _need(action, "variables", lambda v: isinstance(v, dict) and all(
            isinstance(value, str) for value in v.values()), _("Template variables are an object of name: text."))
        for value in values.values():
            try:
                variables.check(value)
            except variables.TemplateProblem as exc:
                raise ActionError(str(exc)) from exc
    elif kind == "send_webhook":
        subscription = _need(action, "subscription", lambda v: isinstance(v, int), _("Choose the webhook."))
        if not WebhookSubscription.objects.filter(pk=subscription).exists():
            raise ActionError(_("No such webhook."))


def check_list(actions, count_message):
    """Raise ActionError (field "actions") unless `actions` is 1 to MAX_ACTIONS valid actions.

    `count_message` says how many a rule or a macro may have, with %(max)d.
    """
    if not isinstance(actions, list) or not actions or len(actions) > MAX_ACTIONS:
        raise ActionError(count_message % {"max": MAX_ACTIONS}, field="actions")
    for action in actions:
        try:
            check(action)
        except ActionError as exc:
            raise ActionError(exc.message, field="actions") from exc


def _update(conversation, context, **changes):
    assignment.update_conversation(conversation, context.actor, **changes)


def _assign_agent(conversation, action, run):
    _update(conversation, run, assignee=get_user_model().objects.get(pk=action["agent"]))
    return f"assigned to agent {action['agent']}"


def _unassign(conversation, action, run):
    _update(conversation, run, assignee=None)
    return "unassigned"


def _assign_automatically(conversation, action, run):
    """Into the team's queue, where its assignment policy gives it to an available agent with room (the
    current owner, if any, is not offered it again): the same code that routes new conversations."""
    if conversation.team_id is None:
        return "not queued: the conversation has no team"
    if queue.automatic_policy(conversation.team_id) is None:
        return f"not queued: team {conversation.team_id} does not assign automatically"
    if queue.enqueue(conversation.pk, QueueEntry.Reason.RULE, actor=run.actor) is None:
        return "not queued: resolved, or already waiting in the queue"
    return "queued for automatic assignment"


def _apply_sla_policy(conversation, action, run):
    policy = SlaPolicy.objects.filter(pk=action["policy"]).first() if action.get("policy") is not None else None
    if action.get("policy") is not None and policy is None:
        raise ActionError(_("The SLA policy of this action was deleted."))
    sla.apply_policy(conversation.pk, policy, actor=run.actor)
    if policy is None:
        return "SLA policy: back to the first matching one"
    return f"SLA policy {policy.pk} applied" + ("" if policy.active else " (it is turned off: not counted)")


def _assign_team(conversation, action, run):
    _update(conversation, run, team=Team.objects.get(pk=action["team"]))
    return f"moved to team {action['team']}"


def _labels(conversation):
    return list(conversation.labels.values_list("name", flat=True))


def _add_label(conversation, action, run):
    _update(conversation, run, labels=[*_labels(conversation), _label(action)])
    return f"label {_label(action)} added"


def _remove_label(conversation, action, run):
    _update(conversation, run, labels=[name for name in _labels(conversation) if name != _label(action)])
    return f"label {_label(action)} removed"


def _set_priority(conversation, action, run):
    _update(conversation, run, priority=action["priority"])
    return f"priority {action['priority']}"


def _set_status(conversation, action, run):
    until = None
    if action["status"] == Conversation.Status.SNOOZED:
        until = timezone.now() + timedelta(minutes=action["snooze_minutes"])
    _update(conversation, run, status=action["status"], snoozed_until=until)
    return f"status {action['status']}"


def _recent_automatic_replies(conversation):
    since = timezone.now() - timedelta(hours=24)
    return Message.objects.filter(conversation=conversation, direction=Message.Direction.OUTBOUND,
                                  metadata__automatic=AUTOMATIC_REPLY, created_at__gte=since).count()


def text_for(action, customer):
    """The text of `action` in the customer's language when it has a variant for it, else its default text."""
    variants = {language_code(language): text for language, text in (action.get("variants") or {}).items()}
    return variants.get(language_code(customer.language)) or action["text"]


def _text(conversation, action, run):
    agent = getattr(run.actor, "agent", None) if run.actor is not None else None
    return variables.render(text_for(action, conversation.customer), variables.context_for(conversation, agent))


def _send_reply(conversation, action, run):
    if run.automatic:
        # Never answer a machine (auto-replies, bounces, Auto-Submitted mail): that is how mail loops start.
        if run.facts.get("automatic"):
            return "reply skipped: the customer's message was sent automatically"
        if _recent_automatic_replies(conversation) >= settings.AUTOMATION_MAX_AUTO_REPLIES_PER_DAY:
            return "reply skipped: the daily limit of automatic replies for this conversation was reached"
        metadata = {"automatic": AUTOMATIC_REPLY, "rule": run.rule.pk}
    else:
        metadata = {"macro": run.macro.pk}
    replies.send_reply(conversation, run.actor, _text(conversation, action, run), metadata=metadata)
    return "reply sent"


def _send_template(conversation, action, run):
    """An approved template (what WhatsApp accepts outside its 24-hour window), its variables filled safely."""
    agent = getattr(run.actor, "agent", None) if run.actor is not None else None
    context = variables.context_for(conversation, agent)
    filled = {name: variables.render(value, context) for name, value in action["variables"].items()}
    metadata = {"automatic": AUTOMATIC_REPLY, "rule": run.rule.pk} if run.automatic else {"macro": run.macro.pk}
    language = action.get("language") or _template_language(conversation, action["name"])
    replies.send_reply(conversation, run.actor, metadata=metadata, template={
        "name": action["name"], "language": language, "variables": filled})
    return f"template {action['name']} sent"


def _template_language(conversation, name):
    """The language of the channel's template `name` the customer reads ("" when none is theirs): an action
    that names no language sends the customer's version of a template approved in several."""
    channel = conversation.last_inbound_channel
    wanted = language_code(conversation.customer.writing_language)
    if channel is None or not wanted:
        return ""
    languages = [t.language for t in replies.channel_templates(channel) if t.name == name]
    exact = [language for language in languages if language_code(language) == wanted]
    same = [language for language in languages
            if language_code(language).split("-")[0] == wanted.split("-")[0]]
    return (exact or same or [""])[0]


def _add_note(conversation, action, run):
    replies.add_note(conversation, run.actor, _text(conversation, action, run))
    return "note added"


def _send_webhook(conversation, action, run):
    from .actions.webhooks import deliver_rule_event

    deliver_rule_event(action["subscription"], run.rule, conversation, run.root_event_id)
    return f"webhook {action['subscription']} queued"


PERFORMERS = {
    "assign_agent": _assign_agent,
    "unassign": _unassign,
    "assign_automatically": _assign_automatically,
    "assign_team": _assign_team,
    "add_label": _add_label,
    "remove_label": _remove_label,
    "set_priority": _set_priority,
    "set_status": _set_status,
    "send_reply": _send_reply,
    "send_template": _send_template,
    "add_note": _add_note,
    "send_webhook": _send_webhook,
    "apply_sla_policy": _apply_sla_policy,
}


def perform(conversation, action, run):
    """Do one action; returns what was done, in words for the "Why?" panel."""
    try:
        return PERFORMERS[action["type"]](conversation, action, run)
    except variables.TemplateProblem as exc:
        raise ActionError(str(exc)) from exc


def refusal(conversation, actions, actor=None):
    """Why `actions` cannot run on `conversation` at all ("" when they can): checked before anything runs.

    A reply the channel would refuse now (WhatsApp outside its 24-hour window, say) or a variable that
    would come out empty stops the whole list, so nothing half-happens.
    """
    agent = getattr(actor, "agent", None) if actor is not None else None
    context = None
    for action in actions:
        if action["type"] not in ("send_reply", "send_template", "add_note"):
            continue
        context = context or variables.context_for(conversation, agent)
        texts = (action["variables"].values() if action["type"] == "send_template"
                 else [text_for(action, conversation.customer)])
        try:
            for text in texts:
                variables.render(text, context)
        except variables.TemplateProblem as exc:
            return str(exc)
        if action["type"] == "send_reply":
            channel = conversation.last_inbound_channel
            if channel is None:
                return _("The customer has not written on any channel yet.")
            reason = replies.unavailable_reason(conversation.customer, channel)
            if reason:
                return reason
    return ""
