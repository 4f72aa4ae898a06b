import os

from celery import Celery
from celery.signals import task_postrun

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "omnidesk.settings")

app = Celery("omnidesk")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Tasks of the layers that analyse or market (not the way of a message to and from the console), and
# the one task that runs their work after each inbound message.
BACKGROUND_TASK_PREFIXES = ("insights.", "customers.", "marketing.", "commerce.", "conversations.inbound_message_stored")


def route_background_work(name, args, kwargs, options, task=None, **kw):
    """CELERY_BACKGROUND_QUEUE for the layers' tasks; the default queue for the rest."""
    if name.startswith(BACKGROUND_TASK_PREFIXES):
        return {"queue": app.conf.background_queue}
    return None


@task_postrun.connect
def return_database_connections(sender=None, **kwargs):
    """Hand the task's connection back to the pool (dropping it if broken), as a request's end does.

    With CELERY_DB_REUSE_MAX set, Celery no longer closes connections after each task; eager
    tasks (embedded mode, tests) run inside the caller's transaction and are left alone.
    """
    if sender is not None and not getattr(sender.request, "is_eager", False):
        from django.db import close_old_connections

        close_old_connections()
