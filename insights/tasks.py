from celery import shared_task

from .actions.sentiment import score_messages, score_pending


@shared_task(name="insights.score_message")
def score_message(message_id):
    return score_messages([message_id])


@shared_task(name="insights.score_pending_messages")
def score_pending_messages():
    return score_pending()


@shared_task(name="insights.refresh_rollups")
def refresh_rollups():
    from .actions.rollups import refresh_rollups as refresh

    return refresh()


@shared_task(name="insights.send_weekly_summaries")
def send_weekly_summaries():
    from .actions.summaries import send_weekly_summaries as send

    return send()
