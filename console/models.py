from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class SavedView(models.Model):
    """A combination of inbox filters an agent saved: for themselves, or for everyone in one team.

    `filters` holds the filter form's raw values (console.forms.InboxFiltersForm), so a filter
    added to the form later (SLA state, sentiment) can be saved without a new column.
    """

    name = models.CharField(max_length=60)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE,
                              related_name="saved_views")
    team = models.ForeignKey("conversations.Team", null=True, blank=True, on_delete=models.CASCADE,
                             related_name="saved_views")
    filters = models.JSONField(default=dict)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            # Personal (owner) or a team's, never both nor neither.
            models.CheckConstraint(condition=Q(owner__isnull=False, team__isnull=True)
                                   | Q(owner__isnull=True, team__isnull=False), name="saved_view_personal_or_team"),
        ]

    def __str__(self):
        return self.name

    @property
    def slug(self):
        return f"saved-{self.pk}"


class CsatPolicy(models.Model):
    """Whether resolving a conversation asks the customer for a rating by itself, per channel kind.

    The kind is the one of the channel the customer last wrote on; the web chat asks in the widget always.
    """

    channel_kind = models.CharField(max_length=40, unique=True)
    automatic = models.BooleanField(default=False)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"CSAT on {self.channel_kind}: {'automatic' if self.automatic else 'by hand'}"
