"""The layers' background work waits in its own queue, which workers poll after the live one."""
from django.conf import settings

from omnidesk.celery import app


def queue_of(task_name):
    return app.amqp.router.route({}, task_name)["queue"].name


def test_analysis_and_marketing_tasks_go_to_the_background_queue():
    for name in ("insights.score_message", "customers.journey_after_message", "marketing.after_inbound_message",
                 "commerce.process_delivery", "conversations.inbound_message_stored"):
        assert queue_of(name) == settings.CELERY_BACKGROUND_QUEUE


def test_the_way_of_a_message_stays_on_the_live_queue():
    for name in ("channels_adapters.process_raw_event", "channels_adapters.deliver_message",
                 "routing.message_created", "automation.run_rules"):
        assert queue_of(name) == settings.CELERY_TASK_DEFAULT_QUEUE


def test_each_queue_has_a_binding_of_its_own_and_the_live_one_is_polled_first():
    queues = {queue.name: queue.routing_key for queue in settings.CELERY_TASK_QUEUES}
    assert queues == {settings.CELERY_TASK_DEFAULT_QUEUE: settings.CELERY_TASK_DEFAULT_QUEUE,
                      settings.CELERY_BACKGROUND_QUEUE: settings.CELERY_BACKGROUND_QUEUE}
    # Redis transport polls in sorted order: the live queue's name sorts first.
    assert sorted(queues)[0] == settings.CELERY_TASK_DEFAULT_QUEUE
    assert settings.CELERY_BROKER_TRANSPORT_OPTIONS["queue_order_strategy"] == "sorted"
