from django import forms
from django.utils.translation import gettext_lazy as _

from .models import WEBHOOK_EVENTS


class WebhookSubscriptionForm(forms.Form):
    name = forms.CharField(max_length=120, label=_("Name"))
    url = forms.URLField(max_length=500, label=_("URL"), assume_scheme="https",
                         help_text=_("A public https:// address. Private, loopback and link-local addresses are refused."))
    events = forms.MultipleChoiceField(choices=WEBHOOK_EVENTS, widget=forms.CheckboxSelectMultiple,
                                       label=_("Events"))
