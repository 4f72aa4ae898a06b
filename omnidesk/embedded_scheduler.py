"""Periodic tasks for the embedded mode, where no `celery beat` runs.

A daemon thread of the web process runs each CELERY_BEAT_SCHEDULE entry
(interval schedules, in seconds) eagerly. Production uses `make beat` instead.
"""
import logging
import threading
import time

from celery import current_app
from django.conf import settings
from django.db import close_old_connections

logger = logging.getLogger(__name__)
TICK_SECONDS = 5.0
_started = threading.Event()


def _run_forever():
    next_run = {name: time.monotonic() for name in settings.CELERY_BEAT_SCHEDULE}
    while True:
        now = time.monotonic()
        for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
            if now < next_run[name]:
                continue
            next_run[name] = now + float(entry["schedule"])
            try:
                current_app.tasks[entry["task"]].apply(args=entry.get("args", ()))
            except Exception:
                logger.exception("embedded periodic task %s failed", name)
            finally:
                close_old_connections()
        time.sleep(TICK_SECONDS)


def start():
    """Start the scheduler once per process, when the embedded mode wants it."""
    if not settings.EMBEDDED_SCHEDULER or _started.is_set():
        return
    _started.set()
    current_app.loader.import_default_modules()
    threading.Thread(target=_run_forever, name="embedded-scheduler", daemon=True).start()
