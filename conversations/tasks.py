from celery import shared_task

from .actions.assignment import wake_snoozed


@shared_task(name="conversations.wake_snoozed")
def wake_snoozed_conversations():
    return wake_snoozed()
