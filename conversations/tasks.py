import logging

from celery import shared_task

from .actions.assignment import wake_snoozed
from .models import Message
from .signals import inbound_message_stored

logger = logging.getLogger(__name__)


@shared_task(name="conversations.wake_snoozed")
def wake_snoozed_conversations():
    return wake_snoozed()


@shared_task(name="conversations.inbound_message_stored")
def announce_inbound_message(message_id, customer_id):
    """The layers' work after a new inbound message (journey, campaigns, sentiment...), in one task.

    One task per message rather than one per listening layer: each is a broker round trip and a worker
    dispatch. A layer that fails is logged and does not keep the others from their work.
    """
    for receiver, outcome in inbound_message_stored.send_robust(sender=Message, message_id=message_id,
                                                                customer_id=customer_id):
        if isinstance(outcome, Exception):
            logger.error("after inbound message %s: %s failed", message_id, getattr(receiver, "__qualname__", receiver),
                         exc_info=outcome)
