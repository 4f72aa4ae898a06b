"""Production mode end to end: a webhook on the web process is processed by a real Celery worker over Redis."""
import os
import subprocess
import sys
import time
import uuid

import httpx
import pytest
from django.conf import settings
from django.db import connection
from kombu import pools as kombu_pools

from conversations.models import Message, RawInboundEvent
from omnidesk.celery import app as celery_app

from .conftest import api_message, signed
from .services import require_postgres, require_redis

WAIT_SECONDS = 60


@pytest.fixture
def celery_worker(live_server_url):
    require_postgres()
    require_redis()
    queue = f"test-{uuid.uuid4().hex[:8]}"  # our own queue: other workers on this Redis never take our tasks
    overrides = {"task_always_eager": False, "task_default_queue": queue, "background_queue": f"{queue}.background",
                 "broker_url": settings.REDIS_URL}
    previous = {key: celery_app.conf[key] for key in overrides}
    celery_app.conf.update(overrides)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "omnidesk.settings",
        "DATABASE_URL": _test_database_url(),
        "CELERY_QUEUE": queue,
        "CELERY_TASK_ALWAYS_EAGER": "false",
    }
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "omnidesk", "worker", "--pool=solo", "--loglevel=WARNING",
         "--without-heartbeat", "--without-gossip", "--without-mingle"],
        env=env, cwd=settings.BASE_DIR, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    yield worker
    worker.terminate()
    try:
        worker.wait(timeout=20)
    except subprocess.TimeoutExpired:
        worker.kill()
    celery_app.conf.update(previous)
    # Close the broker connections and forget the pools, as Celery does after a fork: a pool closed
    # in place stays registered, and later (eager) tests would acquire their producer from it.
    kombu_pools.reset()
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


def _test_database_url():
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def test_a_webhook_is_ingested_by_a_celery_worker(live_server_url, celery_worker, make_api_channel, team):
    channel = make_api_channel(team=team)
    body, headers = signed(api_message("prod-1", "+5511999990001", "via the worker"))
    response = httpx.post(f"{live_server_url}/webhooks/{channel.pk}/", content=body, headers=headers, timeout=10)
    assert response.status_code == 200
    assert RawInboundEvent.objects.get().state in (RawInboundEvent.State.PENDING, RawInboundEvent.State.PROCESSED)

    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline and not Message.objects.filter(external_id="prod-1").exists():
        assert celery_worker.poll() is None, celery_worker.stdout.read().decode()
        time.sleep(0.2)
    assert Message.objects.get(external_id="prod-1").text == "via the worker"
    assert RawInboundEvent.objects.get().state == RawInboundEvent.State.PROCESSED
