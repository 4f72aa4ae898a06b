"""Console forms of routing's settings: they turn what a person types into the shapes the actions check.

Weekly hours are typed per weekday as "09:00-12:00, 13:00-17:00" (an end not after its start runs into
the next day); holidays and special hours one per line, "2026-12-25 Christmas" (closed all day) or
"2026-12-24 09:00-13:00 Christmas Eve" (those hours only).
"""
import re
import zoneinfo
from datetime import date

from django import forms
from django.utils.translation import gettext_lazy as _

from conversations.channel_kinds import known_kinds, rules_for
from conversations.models import Conversation, Team

from .calendars import WEEKDAYS
from .models import AssignmentPolicy, BusinessCalendar, SlaMetric, SlaPolicy

WEEKDAY_LABELS = dict(zip(WEEKDAYS, (_("Monday"), _("Tuesday"), _("Wednesday"), _("Thursday"), _("Friday"),
                                     _("Saturday"), _("Sunday"))))
INTERVAL = re.compile(r"^(\d{1,2}:\d{2})\s*-\s*(\d{1,2}:\d{2})$")
_HOURS = r"\d{1,2}:\d{2}\s*-\s*\d{1,2}:\d{2}"
# What follows an exception's date: its hours (none: closed all day), then its name.
EXCEPTION_REST = re.compile(rf"^(?P<hours>{_HOURS}(?:\s*,\s*{_HOURS})*)?\s*(?P<name>.*)$")


def parse_interval_text(text):
    """ "09:00-12:00, 13:00-17:00" -> [["09:00", "12:00"], ["13:00", "17:00"]]; None when not of that form."""
    parts = [part.strip() for part in text.split(",") if part.strip()]
    intervals = []
    for part in parts:
        match = INTERVAL.match(part)
        if match is None:
            return None
        intervals.append([match[1].zfill(5), match[2].zfill(5)])
    return intervals


def interval_text(intervals):
    return ", ".join(f"{start}-{end}" for start, end in intervals)


def exceptions_text(exceptions):
    return "\n".join(" ".join(filter(None, (item.date.isoformat(), interval_text(item.intervals), item.name)))
                     for item in exceptions)


def _channel_kind_choices():
    """(kind, label); two kinds of one label (two WhatsApp providers) also say which kind they are."""
    labels = [str(rules_for(kind).label) for kind in known_kinds()]
    return [(kind, f"{label} ({kind})" if labels.count(label) > 1 else label)
            for kind, label in zip(known_kinds(), labels)]


class CalendarForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    time_zone = forms.CharField(label=_("Time zone"), max_length=64,
                                help_text=_("An IANA time zone, such as Europe/Lisbon or America/Sao_Paulo."),
                                widget=forms.TextInput(attrs={"list": "time-zones", "autocomplete": "off"}))
    exceptions = forms.CharField(
        label=_("Holidays and special hours"), required=False, widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("One date a line: \"2026-12-25 Christmas\" closes the whole day; "
                    "\"2026-12-24 09:00-13:00 Christmas Eve\" opens only those hours."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for day in WEEKDAYS:
            self.fields[day] = forms.CharField(
                label=WEEKDAY_LABELS[day], required=False, max_length=200)
        self.order_fields(["name", "time_zone", *WEEKDAYS, "exceptions"])

    @staticmethod
    def time_zones():
        return sorted(zoneinfo.available_timezones())

    @staticmethod
    def initial_for_new(time_zone):
        """A new calendar starts as Monday to Friday, 09:00 to 17:00, in the admin's own time zone."""
        return {"time_zone": time_zone, **{day: "09:00-17:00" for day in WEEKDAYS[:5]}}

    @classmethod
    def initial_for(cls, calendar):
        return {"name": calendar.name, "time_zone": calendar.time_zone,
                "exceptions": exceptions_text(calendar.exceptions.all()),
                **{day: interval_text(calendar.weekly_hours.get(day, [])) for day in WEEKDAYS}}

    def weekday_fields(self):
        return [self[day] for day in WEEKDAYS]

    def clean(self):
        cleaned = super().clean()
        weekly = {}
        for day in WEEKDAYS:
            text = (cleaned.get(day) or "").strip()
            if not text:
                continue
            intervals = parse_interval_text(text)
            if intervals is None:
                self.add_error(day, _("Write the hours as 09:00-12:00, 13:00-17:00."))
            else:
                weekly[day] = intervals
        cleaned["weekly_hours"] = weekly
        cleaned["exception_items"] = self._exception_items(cleaned.get("exceptions") or "")
        return cleaned

    def _exception_items(self, text):
        items = []
        for number, line in enumerate(text.splitlines(), start=1):
            day_text, _space, rest = line.strip().partition(" ")
            if not day_text:
                continue
            try:
                day = date.fromisoformat(day_text)
            except ValueError:
                self.add_error("exceptions", _("Line %(number)s: start with a date such as 2026-12-25.")
                               % {"number": number})
                continue
            match = EXCEPTION_REST.match(rest.strip())
            if rest.strip()[:1].isdigit() and not match["hours"]:
                self.add_error("exceptions", _("Line %(number)s: write the hours as 09:00-13:00.")
                               % {"number": number})
                continue
            items.append({"date": day.isoformat(), "name": match["name"].strip(),
                          "intervals": parse_interval_text(match["hours"] or "")})
        return items


class SlaPolicyForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    position = forms.IntegerField(label=_("Position"), min_value=0, initial=0,
                                  help_text=_("Policies are tried from the lowest position; the first that "
                                              "matches a conversation applies."))
    calendar = forms.ModelChoiceField(BusinessCalendar.objects.all(), required=False, label=_("Counted in"),
                                      empty_label=_("Calendar time (24/7)"))
    warn_before_minutes = forms.IntegerField(label=_("Warn this many minutes before the due time"), min_value=0,
                                             max_value=24 * 60, initial=15)
    pause_statuses = forms.MultipleChoiceField(
        label=_("Statuses that pause the resolution clock"), required=False, widget=forms.CheckboxSelectMultiple,
        choices=[(status.value, status.label) for status in SlaPolicy.PAUSABLE_STATUSES])
    teams = forms.ModelMultipleChoiceField(Team.objects.order_by("name"), required=False, label=_("Teams"),
                                           widget=forms.CheckboxSelectMultiple,
                                           help_text=_("None ticked: every team."))
    channel_kinds = forms.MultipleChoiceField(label=_("Channels"), required=False,
                                              widget=forms.CheckboxSelectMultiple, choices=_channel_kind_choices,
                                              help_text=_("None ticked: every channel."))
    priorities = forms.MultipleChoiceField(label=_("Priorities"), required=False, widget=forms.CheckboxSelectMultiple,
                                           choices=Conversation.Priority.choices,
                                           help_text=_("None ticked: every priority."))
    labels = forms.CharField(label=_("Labels"), required=False, max_length=500,
                             help_text=_("Comma-separated; a conversation with any of them matches. Blank: any."))

    @staticmethod
    def target_field_name(metric, priority):
        """The grid of targets: one minutes field per metric and priority, blank for no target."""
        return f"target_{metric}_{priority}"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for metric in SlaMetric.values:
            for priority in Conversation.Priority.values:
                self.fields[self.target_field_name(metric, priority)] = forms.IntegerField(
                    required=False, min_value=1, max_value=365 * 24 * 60,
                    label=f"{SlaMetric(metric).label} · {Conversation.Priority(priority).label}",
                    widget=forms.NumberInput(attrs={"class": "minutes", "placeholder": "—"}))

    def target_rows(self):
        """[(metric label, [bound field per priority])] for the template's grid."""
        return [(label, [self[self.target_field_name(metric, priority)] for priority in Conversation.Priority.values])
                for metric, label in SlaMetric.choices]

    @staticmethod
    def priority_labels():
        return Conversation.Priority.labels

    @classmethod
    def initial_for(cls, policy):
        conditions = policy.conditions or {}
        initial = {
            "name": policy.name, "active": policy.active, "position": policy.position,
            "calendar": policy.calendar_id, "warn_before_minutes": policy.warn_before_minutes,
            "pause_statuses": policy.pause_statuses, "teams": conditions.get("teams", []),
            "channel_kinds": conditions.get("channel_kinds", []), "priorities": conditions.get("priorities", []),
            "labels": ", ".join(conditions.get("labels", [])),
        }
        for target in policy.targets.all():
            initial[cls.target_field_name(target.metric, target.priority)] = target.minutes
        return initial

    def action_data(self):
        """What routing.actions.policies.save_sla_policy takes."""
        data = self.cleaned_data
        labels = [label.strip() for label in data["labels"].split(",") if label.strip()]
        return {
            "name": data["name"], "active": data["active"], "position": data["position"],
            "calendar": data["calendar"], "warn_before_minutes": data["warn_before_minutes"],
            "pause_statuses": list(data["pause_statuses"]),
            "conditions": {"teams": [team.pk for team in data["teams"]], "channel_kinds": list(data["channel_kinds"]),
                           "priorities": list(data["priorities"]), "labels": labels},
            "targets": [{"metric": metric, "priority": priority, "minutes": data[self.target_field_name(metric, priority)]}
                        for metric in SlaMetric.values for priority in Conversation.Priority.values
                        if data.get(self.target_field_name(metric, priority)) is not None],
        }


class CapacityFields:
    """One "at most" field per channel kind, blank for no limit."""

    def add_capacity_fields(self):
        for kind, label in _channel_kind_choices():
            self.fields[f"capacity_{kind}"] = forms.IntegerField(
                label=label, required=False, min_value=0, max_value=1000,
                widget=forms.NumberInput(attrs={"placeholder": "—"}))

    def capacity_fields(self):
        return [self[name] for name in self.fields if name.startswith("capacity_")]

    @staticmethod
    def capacity_initial(capacity_rules):
        return {f"capacity_{rule.channel_kind}": rule.max_active for rule in capacity_rules}

    def chosen_capacity(self):
        return {kind: self.cleaned_data[f"capacity_{kind}"] for kind in known_kinds()
                if self.cleaned_data.get(f"capacity_{kind}") is not None}


class AgentCapacityForm(CapacityFields, forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_capacity_fields()


class AssignmentPolicyForm(CapacityFields, forms.Form):
    mode = forms.ChoiceField(label=_("Automatic assignment"), choices=AssignmentPolicy.Mode.choices)
    offline_grace_seconds = forms.IntegerField(
        label=_("Requeue an offline owner's live conversations after (seconds)"), min_value=0, max_value=24 * 3600)
    no_reply_requeue_minutes = forms.IntegerField(
        label=_("Requeue when the owner has not replied within (business minutes)"), required=False, min_value=1,
        max_value=7 * 24 * 60, help_text=_("Blank: never."))
    calendar = forms.ModelChoiceField(BusinessCalendar.objects.all(), required=False,
                                      label=_("Business minutes counted in"), empty_label=_("Calendar time (24/7)"))
    live_idle_minutes = forms.IntegerField(
        label=_("A live conversation idle this long stops counting towards its owner's load (minutes)"),
        min_value=1, max_value=24 * 60)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_capacity_fields()

    @classmethod
    def initial_for(cls, policy, capacity_rules):
        return {"mode": policy.mode, "offline_grace_seconds": policy.offline_grace_seconds,
                "no_reply_requeue_minutes": policy.no_reply_requeue_minutes, "calendar": policy.calendar_id,
                "live_idle_minutes": policy.live_idle_minutes, **cls.capacity_initial(capacity_rules)}

    def action_options(self):
        """Keyword arguments of routing.actions.policies.save_assignment_policy."""
        data = self.cleaned_data
        return {
            "mode": data["mode"], "offline_grace_seconds": data["offline_grace_seconds"],
            "no_reply_requeue_minutes": data["no_reply_requeue_minutes"], "calendar": data["calendar"],
            "live_idle_minutes": data["live_idle_minutes"], "capacity": self.chosen_capacity(),
        }
