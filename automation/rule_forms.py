"""The rule builder of the console: rows of conditions and actions instead of JSON (JSON stays for nested trees)."""
import json

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from conversations.models import Conversation, Team

from routing.models import SlaPolicy

from .models import RuleEvent, WebhookSubscription
from .rule_actions import language_code

CONDITION_ROWS = 5
ACTION_ROWS = 5
FIELD_CHOICES = [("", "—"), ("channel_kind", _("Channel kind")), ("status", _("Status")),
                 ("priority", _("Priority")), ("team", _("Team (id)")), ("assignee", _("Assignee (id)")),
                 ("labels", _("Labels")), ("text", _("Customer's message text")),
                 ("automatic", _("Sent automatically (true/false)")),
                 ("waiting", _("Customer waiting for an answer (true/false)")),
                 ("csat", _("Satisfaction rating (1-5)")),
                 ("language", _("Customer's language (en, pt-br, es)")),
                 ("business_hours", _("Business hours now (open/closed)")),
                 ("sentiment", _("Sentiment of the customer's message (negative/neutral/positive)")),
                 ("sentiment_score", _("Sentiment score (-1 to 1)")),
                 ("sla_metric", _("SLA clock (first_response/next_response/resolution)")),
                 ("attribute", _("Customer attribute (key below)"))]
OPERATOR_CHOICES = [("eq", _("is")), ("neq", _("is not")), ("in", _("is one of (comma-separated)")),
                    ("not_in", _("is none of (comma-separated)")), ("contains", _("contains")),
                    ("not_contains", _("does not contain")), ("empty", _("is empty")),
                    ("not_empty", _("is not empty")), ("gt", _("is greater than")), ("lt", _("is less than"))]
ACTION_CHOICES = [("", "—"), ("assign_agent", _("Assign to agent")),
                  ("assign_automatically", _("Assign automatically (the team's queue)")), ("unassign", _("Unassign")),
                  ("assign_team", _("Move to team")), ("apply_sla_policy", _("Apply an SLA policy")),
                  ("add_label", _("Add label")),
                  ("remove_label", _("Remove label")), ("set_priority", _("Set priority")),
                  ("set_status", _("Set status")), ("send_reply", _("Send a reply")),
                  ("add_note", _("Add a private note")), ("send_webhook", _("Send a webhook"))]


def _variant_field(row, code):
    return f"a{row}_text_{code.replace('-', '_')}"


def _value_of(field, op, raw):
    raw = (raw or "").strip()
    if op in ("empty", "not_empty"):
        return None
    if op in ("in", "not_in"):
        return [part.strip() for part in raw.split(",") if part.strip()]
    if op in ("gt", "lt"):
        try:
            return float(raw)
        except ValueError:
            return raw
    if field in ("automatic", "waiting"):
        return raw.lower() in ("true", "yes", "1", "sim", "sí", "si")
    if field == "csat" and raw.isdigit():
        return int(raw)
    if field in ("team", "assignee") and raw.isdigit():
        return int(raw)
    return raw


class ActionRowsForm(forms.Form):
    """Rows of actions (type and its parameters), shared by the rule and the macro builders."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        agents = [("", "—")] + [(str(user.pk), user.get_username()) for user in
                                get_user_model().objects.filter(is_active=True).order_by("username")]
        teams = [("", "—")] + [(str(team.pk), team.name) for team in Team.objects.all()]
        hooks = [("", "—")] + [(str(hook.pk), hook.name) for hook in WebhookSubscription.objects.all()]
        policies = [("", _("(none: the first policy that matches)"))] + [
            (str(policy.pk), policy.name) for policy in SlaPolicy.objects.all()]
        for row in range(ACTION_ROWS):
            self.fields[f"a{row}_type"] = forms.ChoiceField(choices=ACTION_CHOICES, required=False, label=_("Action"))
            self.fields[f"a{row}_value"] = forms.CharField(
                required=False, max_length=200, label=_("Label, priority, status or snooze minutes"))
            self.fields[f"a{row}_agent"] = forms.ChoiceField(choices=agents, required=False, label=_("Agent"))
            self.fields[f"a{row}_team"] = forms.ChoiceField(choices=teams, required=False, label=_("Team"))
            self.fields[f"a{row}_webhook"] = forms.ChoiceField(choices=hooks, required=False, label=_("Webhook"))
            self.fields[f"a{row}_policy"] = forms.ChoiceField(choices=policies, required=False,
                                                              label=_("SLA policy"))
            self.fields[f"a{row}_text"] = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}),
                                                          label=_("Text (variables allowed)"))
            for code, name in settings.LANGUAGES:
                label = _("Reply for customers who read %(language)s (optional)") % {"language": name}
                self.fields[_variant_field(row, code)] = forms.CharField(
                    required=False, label=label,
                    widget=forms.Textarea(attrs={"rows": 2, "placeholder": label, "aria-label": label}))

    def action_rows(self):
        """Per row: its choices, then its texts (the default one and one per customer language)."""
        return [([self[f"a{row}_{part}"] for part in ("type", "value", "agent", "team", "policy", "webhook")],
                 [self[f"a{row}_text"], *(self[_variant_field(row, code)] for code, _name in settings.LANGUAGES)])
                for row in range(ACTION_ROWS)]

    def chosen_actions(self):
        data = self.cleaned_data
        actions = []
        for row in range(ACTION_ROWS):
            kind = data[f"a{row}_type"]
            if not kind:
                continue
            value = data[f"a{row}_value"].strip()
            action = {"type": kind}
            if kind in ("add_label", "remove_label"):
                action["label"] = value
            elif kind == "set_priority":
                action["priority"] = value
            elif kind == "set_status":
                status, _sep, minutes = value.partition(" ")
                action["status"] = status
                if status == Conversation.Status.SNOOZED:
                    action["snooze_minutes"] = int(minutes) if minutes.strip().isdigit() else 0
            elif kind == "assign_agent":
                action["agent"] = int(data[f"a{row}_agent"] or 0)
            elif kind == "assign_team":
                action["team"] = int(data[f"a{row}_team"] or 0)
            elif kind == "send_webhook":
                action["subscription"] = int(data[f"a{row}_webhook"] or 0)
            elif kind == "apply_sla_policy":
                action["policy"] = int(data[f"a{row}_policy"]) if data[f"a{row}_policy"] else None
            elif kind in ("send_reply", "add_note"):
                action["text"] = data[f"a{row}_text"]
                variants = {code: data[_variant_field(row, code)] for code, _name in settings.LANGUAGES
                            if data[_variant_field(row, code)].strip()}
                if variants:
                    action["variants"] = variants
            actions.append(action)
        return actions

    @staticmethod
    def represents(actions):
        """Whether these rows can show `actions` (templates and long lists are edited over the API)."""
        builder_types = {value for value, _label in ACTION_CHOICES if value}
        return len(actions) <= ACTION_ROWS and all(action["type"] in builder_types for action in actions)

    @staticmethod
    def initial_actions(actions):
        initial = {}
        for row, action in enumerate(actions[:ACTION_ROWS]):
            initial[f"a{row}_type"] = action["type"]
            initial[f"a{row}_value"] = action.get("label") or action.get("priority") or " ".join(
                str(part) for part in (action.get("status"), action.get("snooze_minutes")) if part) or ""
            initial[f"a{row}_agent"] = action.get("agent", "")
            initial[f"a{row}_team"] = action.get("team", "")
            initial[f"a{row}_webhook"] = action.get("subscription", "")
            initial[f"a{row}_policy"] = action.get("policy") or ""
            initial[f"a{row}_text"] = action.get("text", "")
            variants = {language_code(language): text for language, text in (action.get("variants") or {}).items()}
            for code, _name in settings.LANGUAGES:
                initial[_variant_field(row, code)] = variants.get(code, "")
        return initial


class RuleForm(ActionRowsForm):
    name = forms.CharField(max_length=120, label=_("Name"))
    event = forms.ChoiceField(choices=RuleEvent.choices, label=_("When"))
    team = forms.ModelChoiceField(Team.objects.all(), required=False, empty_label=_("Every team"), label=_("Team"))
    match = forms.ChoiceField(choices=[("all", _("all conditions hold")), ("any", _("any condition holds"))],
                              label=_("Run when"))
    conditions_json = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}),
                                      label=_("Or: conditions as JSON (for nested all / any / not)"))
    delay_minutes = forms.IntegerField(required=False, min_value=1, label=_("Minutes to wait (timer event only)"))
    delay_in_business_minutes = forms.BooleanField(
        required=False, label=_("Count business minutes (the calendar of the conversation's channel or team)"))
    stop_processing = forms.BooleanField(required=False, label=_("Stop processing the rules after this one"))
    active = forms.BooleanField(required=False, initial=True, label=_("On"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for row in range(CONDITION_ROWS):
            self.fields[f"c{row}_field"] = forms.ChoiceField(choices=FIELD_CHOICES, required=False, label=_("Field"))
            self.fields[f"c{row}_key"] = forms.CharField(required=False, max_length=60, label=_("Attribute key"))
            self.fields[f"c{row}_op"] = forms.ChoiceField(choices=OPERATOR_CHOICES, required=False,
                                                          label=_("Operator"))
            self.fields[f"c{row}_value"] = forms.CharField(required=False, max_length=500, label=_("Value"))

    def condition_rows(self):
        return [[self[f"c{row}_{part}"] for part in ("field", "key", "op", "value")] for row in range(CONDITION_ROWS)]

    def rule_conditions(self):
        data = self.cleaned_data
        if data["conditions_json"].strip():
            try:
                return json.loads(data["conditions_json"])
            except ValueError:
                self.add_error("conditions_json", _("This is not valid JSON."))
                return None
        leaves = []
        for row in range(CONDITION_ROWS):
            field = data[f"c{row}_field"]
            if not field:
                continue
            if field == "attribute":
                field = "customer.attributes." + data[f"c{row}_key"].strip().lower()
            op = data[f"c{row}_op"]
            leaf = {"field": field, "op": op}
            value = _value_of(field, op, data[f"c{row}_value"])
            if value is not None:
                leaf["value"] = value
            leaves.append(leaf)
        return {data["match"]: leaves} if leaves else {}

    @classmethod
    def initial_for(cls, rule):
        """The form's initial data for `rule`: rows when its tree is flat, JSON when it is nested."""
        initial = {"name": rule.name, "event": rule.event, "team": rule.team_id, "match": "all",
                   "delay_minutes": rule.delay_minutes, "delay_in_business_minutes": rule.delay_in_business_minutes,
                   "stop_processing": rule.stop_processing, "active": rule.active}
        tree = rule.conditions or {}
        key = "all" if "all" in tree else ("any" if "any" in tree else None)
        leaves = tree.get(key, []) if key else []
        flat = key and all("field" in leaf for leaf in leaves) and len(leaves) <= CONDITION_ROWS
        if tree and not flat:
            initial["conditions_json"] = json.dumps(tree, ensure_ascii=False, indent=1)
        elif key:
            initial["match"] = key
            for row, leaf in enumerate(leaves):
                field = leaf["field"]
                if field.startswith("customer.attributes."):
                    initial[f"c{row}_key"] = field.removeprefix("customer.attributes.")
                    field = "attribute"
                value = leaf.get("value", "")
                initial.update({f"c{row}_field": field, f"c{row}_op": leaf["op"],
                                f"c{row}_value": ", ".join(map(str, value)) if isinstance(value, list) else value})
        initial.update(cls.initial_actions(rule.actions))
        return initial


class MacroForm(ActionRowsForm):
    name = forms.CharField(max_length=120, label=_("Name"))
    scope = forms.ChoiceField(choices=[("personal", _("Only me")), ("team", _("A team")), ("global", _("Everyone"))],
                              label=_("For"))
    team = forms.ModelChoiceField(Team.objects.all(), required=False, label=_("Team"))

    field_order = ["name", "scope", "team"]

    @classmethod
    def initial_for(cls, macro):
        return {"name": macro.name, "scope": macro.scope, "team": macro.team_id, **cls.initial_actions(macro.actions)}
