"""Console forms of the customer layer: the typed attribute registry (admins). The checks are the actions'."""
from django import forms
from django.utils.translation import gettext_lazy as _

from .actions.attributes import MAX_OPTIONS
from .models import AttributeDefinition


def _options(text):
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class AttributeDefinitionEditForm(forms.Form):
    label = forms.CharField(max_length=120, label=_("Label"), help_text=_("What agents read beside the value."))
    options = forms.CharField(required=False, max_length=MAX_OPTIONS * 101, label=_("Options"),
                              widget=forms.Textarea(attrs={"rows": 4}),
                              help_text=_("One per line; only for a list."))
    writable_by_agents = forms.BooleanField(required=False, initial=True, label=_("Agents may set it"))
    writable_by_api = forms.BooleanField(required=False, initial=True, label=_("The API may set it"))
    writable_by_widget = forms.BooleanField(required=False, label=_("The web chat widget may set it"))

    def clean_options(self):
        return _options(self.cleaned_data["options"])


class AttributeDefinitionForm(AttributeDefinitionEditForm):
    key = forms.CharField(max_length=60, label=_("Key"),
                          help_text=_("Lower-case letters, digits and _; it cannot change later."))
    type = forms.ChoiceField(choices=AttributeDefinition.Type.choices, label=_("Type"),
                             help_text=_("It cannot change later."))
    currency = forms.CharField(required=False, max_length=3, label=_("Currency"),
                               help_text=_("Only for money: an ISO code such as BRL."))

    field_order = ["key", "label", "type", "options", "currency", "writable_by_agents", "writable_by_api",
                   "writable_by_widget"]
