"""What the console's inbox and the API's conversation list ask of the journey: a filter by stage."""
from django.utils.translation import gettext_lazy as _

from .models import Journey

STAGE_CHOICES = [("", _("Any stage")), *Journey.Stage.choices]


def with_stage(queryset, stage):
    """Conversations whose customer is at journey `stage` (all when empty).

    One semi-join with the journey's stage index, so a page of the inbox stays one query whatever the
    stage. A customer whose journey was never computed (who has not written or bought since the layer
    was installed) is at no stage yet: "visitor" is the stage a journey says, not the absence of one, which
    would be an anti-join over every conversation."""
    if not stage:
        return queryset
    return queryset.filter(customer_id__in=Journey.objects.filter(stage=stage).values("customer_id"))
