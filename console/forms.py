from django import forms
from django.utils.translation import gettext_lazy as _

from conversations.actions.replies import MAX_REPLY_LENGTH
from conversations.models import Channel


class ReplyForm(forms.Form):
    text = forms.CharField(label=_("Message"), max_length=MAX_REPLY_LENGTH, widget=forms.Textarea(attrs={"rows": 3}))
    channel = forms.ModelChoiceField(queryset=Channel.objects.none(), required=False, label=_("Channel"))
    private = forms.BooleanField(required=False, label=_("Private note"))

    def __init__(self, *args, channels=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["channel"].queryset = Channel.objects.filter(pk__in=[c.pk for c in channels])
