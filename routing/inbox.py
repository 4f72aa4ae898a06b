"""What the console's inbox and the API list ask of SLAs: conversations by the state of their clocks.

One `EXISTS` over the conversation's clocks, so a list or a view's count costs no query per row.
"""
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import SlaClock

DUE_SOON, BREACHED = "due_soon", "breached"
SLA_STATES = [(DUE_SOON, _("Due soon")), (BREACHED, _("Breached"))]
SLA_CHOICES = [("", _("Any SLA")), *SLA_STATES]


def _state_condition(state, now):
    running = Q(state=SlaClock.State.RUNNING)
    if state == BREACHED:
        # Recorded as breached (a paused clock stays so), or past due a moment before the check records it.
        return Q(state__in=(SlaClock.State.RUNNING, SlaClock.State.PAUSED), breached_at__isnull=False) | (
            running & Q(due_at__lte=now))
    # Inside its policy's warning time (the badge's amber): warned, or its warning instant passed.
    return running & Q(breached_at__isnull=True, due_at__gt=now) & (
        Q(warned_at__isnull=False) | Q(warn_at__lte=now))


def with_sla_state(queryset, state, now=None):
    """Conversations with a clock in `state` (DUE_SOON or BREACHED); all when empty."""
    if not state:
        return queryset
    clocks = SlaClock.objects.filter(_state_condition(state, now or timezone.now()), conversation=OuterRef("pk"))
    return queryset.filter(Exists(clocks))
