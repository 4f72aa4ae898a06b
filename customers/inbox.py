"""What the console's inbox and the API's conversation list ask of the journey: a filter by stage."""
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from .models import Journey

STAGE_CHOICES = [("", _("Any stage")), *Journey.Stage.choices]


def with_stage(queryset, stage):
    """Conversations whose customer is at journey `stage` (all when empty).

    One semi-join on the journey's primary key (its customer), so a page of the inbox stays one query
    whatever the stage. A customer nothing is known about yet has no journey row: they are visitors.
    """
    if not stage:
        return queryset
    if stage == Journey.Stage.VISITOR:
        known = Journey.objects.filter(customer_id=OuterRef("customer_id")).exclude(stage=Journey.Stage.VISITOR)
        return queryset.filter(~Exists(known))
    return queryset.filter(customer_id__in=Journey.objects.filter(stage=stage).values("customer_id"))
