import functools
import zoneinfo

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from conversations.actions.replies import MAX_REPLY_LENGTH
from conversations.addresses import IDENTITY_KINDS
from conversations.models import Channel, Conversation, Label, Team
from insights import inbox as insights_inbox
from routing import inbox as routing_inbox

from conversations.visibility import display_name
from customers import inbox as customers_inbox

from .inbox import VIEW_SLUGS

STATUS_FILTERS = [("all", _("All statuses")), *Conversation.Status.choices]


SORT_DUE = "due"


class InboxFiltersForm(forms.Form):
    view = forms.ChoiceField(choices=[(slug, slug) for slug in VIEW_SLUGS], required=False)
    status = forms.ChoiceField(choices=STATUS_FILTERS, required=False, label=_("Status"))
    channel = forms.ModelChoiceField(Channel.objects.all(), required=False, label=_("Channel"),
                                     empty_label=_("All channels"), to_field_name="pk")
    label = forms.ModelChoiceField(Label.objects.all(), required=False, label=_("Label"), empty_label=_("All labels"),
                                   to_field_name="name")
    team = forms.ModelChoiceField(Team.objects.all(), required=False, label=_("Team"), empty_label=_("All teams"))
    priority = forms.ChoiceField(choices=[("", _("Any priority")), *Conversation.Priority.choices], required=False,
                                 label=_("Priority"))
    sentiment = forms.ChoiceField(choices=insights_inbox.SENTIMENT_CHOICES, required=False, label=_("Mood"))
    stage = forms.ChoiceField(choices=customers_inbox.STAGE_CHOICES, required=False, label=_("Journey stage"))
    sla = forms.ChoiceField(choices=routing_inbox.SLA_CHOICES, required=False, label=_("SLA"))
    sort = forms.ChoiceField(choices=[*insights_inbox.SORT_CHOICES, (SORT_DUE, _("Due soonest"))], required=False,
                             label=_("Order"))
    assignee = forms.ChoiceField(choices=lambda: _assignee_choices(), required=False, label=_("Assignee"))

    # What a saved view keeps (the view itself is not a filter).
    SAVED_FIELDS = ("status", "channel", "label", "team", "priority", "assignee", "sentiment", "stage", "sla",
                    "sort")

    def __init__(self, data=None, *args, **kwargs):
        if data is not None and not data.get("status"):
            # The inbox lists open conversations when no status is asked for: the select says so, and changing
            # another filter keeps them open (it used to show and submit "All statuses").
            data = {**{name: data.get(name) for name in data}, "status": Conversation.Status.OPEN}
        super().__init__(data, *args, **kwargs)
        # Read the agents once per form, when first needed (a select iterates its choices more than once).
        self.fields["assignee"].choices = functools.cache(_assignee_choices)

    def saved_filters(self):
        """The raw values worth saving: valid and not empty."""
        self.is_valid()
        return {name: self.data[name] for name in self.SAVED_FIELDS if self.data.get(name) and name not in self.errors}

    def cleaned_filters(self):
        """The filters to apply; an invalid value is ignored rather than emptying the inbox."""
        self.is_valid()
        data = {name: self.cleaned_data.get(name) for name in self.fields if name not in self.errors}
        data["status"] = data.get("status") or Conversation.Status.OPEN
        return data


class ReplyForm(forms.Form):
    """A reply or a note; a reply may instead send one of the channel's approved templates.

    The template is chosen as "name/language" and its variables come as template_variable.<name>.
    """

    VARIABLE_PREFIX = "template_variable."

    text = forms.CharField(max_length=MAX_REPLY_LENGTH, required=False, strip=False)
    channel = forms.ModelChoiceField(queryset=Channel.objects.all(), required=False)
    private = forms.BooleanField(required=False)
    template = forms.CharField(max_length=600, required=False)

    def template_choice(self):
        """{"name", "language", "variables"} for send_reply, or None for a free-form reply."""
        if not self.cleaned_data["template"]:
            return None
        name, _sep, language = self.cleaned_data["template"].partition("/")
        variables = {key.removeprefix(self.VARIABLE_PREFIX): value for key, value in self.data.items()
                     if key.startswith(self.VARIABLE_PREFIX)}
        return {"name": name, "language": language, "variables": variables}

    def cc_choice(self):
        """The participants the agent kept in Cc, or None when the composer offered none (copy them all)."""
        return self.data.getlist("cc") if self.data.get("cc_given") else None


def _assignee_choices():
    return [("", _("Anyone")), ("me", _("Me")), ("none", _("Unassigned"))] + [
        (str(user.pk), display_name(user)) for user in _agents().select_related("agent")]


def _agents():
    return get_user_model().objects.filter(is_active=True).order_by("username")


class ConversationUpdateForm(forms.Form):
    """One change at a time from the console: only the fields present in the request are applied."""

    assignee = forms.ModelChoiceField(queryset=_agents(), required=False)
    team = forms.ModelChoiceField(queryset=Team.objects.all(), required=False)
    status = forms.ChoiceField(choices=Conversation.Status.choices, required=False)
    snoozed_until = forms.DateTimeField(required=False, input_formats=["%Y-%m-%dT%H:%M"])
    priority = forms.ChoiceField(choices=Conversation.Priority.choices, required=False)
    labels = forms.CharField(required=False, max_length=1300)

    def changes(self):
        changes = {}
        for name in ("assignee", "team", "priority", "status"):
            if name in self.data:
                changes[name] = self.cleaned_data[name]
        if "status" in changes:
            changes["snoozed_until"] = self.cleaned_data["snoozed_until"]
        if "labels" in self.data:
            changes["labels"] = [name.strip() for name in self.cleaned_data["labels"].split(",") if name.strip()]
        return changes


class BulkForm(ConversationUpdateForm):
    conversations = forms.CharField(max_length=5000)
    add_label = forms.CharField(required=False, max_length=60)

    def clean_conversations(self):
        try:
            return [int(pk) for pk in self.cleaned_data["conversations"].split(",") if pk.strip()]
        except ValueError:
            raise forms.ValidationError(_("Choose conversations.")) from None


class IdentityForm(forms.Form):
    kind = forms.ChoiceField(choices=IDENTITY_KINDS, label=_("Kind"))
    address = forms.CharField(max_length=255, label=_("Address"))


class CustomerForm(forms.Form):
    name = forms.CharField(max_length=200, required=False, label=_("Name"))
    language = forms.ChoiceField(label=_("Language"), required=False,
                                 choices=[("", _("Not known")), *settings.LANGUAGES])
    attributes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}), label=_("Attributes"),
                                 help_text=_("One per line: key = value"), max_length=5000)

    def clean_attributes(self):
        attributes = {}
        for line in self.cleaned_data["attributes"].splitlines():
            if not line.strip():
                continue
            key, sep, value = line.partition("=")
            if not sep or not key.strip():
                raise forms.ValidationError(_("Write each attribute as key = value."))
            attributes[key.strip()[:60]] = value.strip()[:500]
        return attributes


class CannedResponseForm(forms.Form):
    shortcut = forms.CharField(max_length=40, label=_("Shortcut"))
    title = forms.CharField(max_length=120, label=_("Title"))
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 5}), label=_("Text"), max_length=5000,
                           help_text=_("Variables: {{customer.name}}, {{customer.first_name}}, {{agent.name}}, "
                                       "{{agent.first_name}}"))
    shared = forms.BooleanField(required=False, label=_("Shared with every agent"))


class PreferencesForm(forms.Form):
    language = forms.ChoiceField(label=_("Language"), required=False,
                                 choices=[("", _("As my browser")), *settings.LANGUAGES])
    time_zone = forms.ChoiceField(label=_("Time zone"), required=False,
                                  choices=lambda: [("", _("As my browser"))] + [
                                      (name, name) for name in sorted(zoneinfo.available_timezones())])


class SavedViewForm(forms.Form):
    name = forms.CharField(max_length=60, label=_("Name"))
    team = forms.ModelChoiceField(Team.objects.all(), required=False, label=_("Shared with"),
                                  empty_label=_("Just me"))
    filters = forms.CharField(max_length=2000, required=False)


class AskCsatForm(forms.Form):
    channel = forms.ModelChoiceField(queryset=Channel.objects.filter(active=True), required=False,
                                     error_messages={"invalid_choice": _("Unknown channel.")})


class CallForm(forms.Form):
    direction = forms.ChoiceField(choices=[("inbound", "inbound"), ("outbound", "outbound")])
    outcome = forms.ChoiceField(choices=[(value, value) for value in ("answered", "missed", "voicemail", "busy",
                                                                      "failed")])
    minutes = forms.IntegerField(min_value=0, max_value=1440, required=False, label=_("Minutes"))
    seconds = forms.IntegerField(min_value=0, max_value=59, required=False, label=_("Seconds"))
    notes = forms.CharField(max_length=5000, required=False, strip=True)

    def duration_seconds(self):
        return (self.cleaned_data["minutes"] or 0) * 60 + (self.cleaned_data["seconds"] or 0)


class SearchForm(forms.Form):
    q = forms.CharField(max_length=200, required=False, label=_("Search"))
