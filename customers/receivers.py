"""How the customer layer hears the core: after-commit domain signals, ids only."""
from . import tasks


def journey_after_message(sender, message_id, customer_id, **kwargs):
    """A customer who writes may become a lead, a prospect or a participant (heard in the core's task: no own)."""
    tasks.journey_after_message(customer_id)


def journeys_after_merge(sender, source_id, target_id, undone, **kwargs):
    """The kept customer now has (or, undone, no longer has) the other's orders, events and attributes."""
    tasks.refresh_after_merge.delay(source_id, target_id)
