"""The bench process's own view of the stack: Django configured like the servers, a clean database and Redis db."""
import os
import time
from urllib.parse import urlsplit, urlunsplit

import psycopg

# Tables whose rows a run starts without; Django's own bookkeeping (migrations, content types) stays.
KEPT_TABLES = {"django_migrations", "django_content_type", "auth_permission"}
BASELINE_TABLE = "bench_baseline_row"


def setup_django(env):
    """Configure Django in this process exactly as the servers are (same settings module and variables)."""
    for key, value in env.child_env().items():
        os.environ[key] = value
    import django

    django.setup()


def ensure_database(database_url):
    parts = urlsplit(database_url)
    name = parts.path.lstrip("/")
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{name}"')


def migrate():
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def create_baseline_table():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {BASELINE_TABLE} (id bigserial PRIMARY KEY, channel_id uuid NOT NULL, "
            "received_at timestamptz NOT NULL DEFAULT now(), body bytea NOT NULL)"
        )


def reset_database():
    """Empty every table a run writes to, and create the baseline view's table."""
    from django.db import connection

    create_baseline_table()
    with connection.cursor() as cursor:
        tables = [name for name in connection.introspection.table_names(cursor) if name not in KEPT_TABLES]
        cursor.execute("TRUNCATE " + ", ".join(connection.ops.quote_name(t) for t in tables) + " RESTART IDENTITY CASCADE")


def reset_redis(redis_url):
    import redis

    client = redis.Redis.from_url(redis_url)
    client.flushdb()
    client.close()


def analyze():
    """Planner statistics and visibility map after a bulk load, as autovacuum would leave them a while later."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE")


def wait_processed(channel, timeout):
    """Wait (at most `timeout` s) until every raw event of `channel` is processed; returns how many are."""
    from conversations.models import RawInboundEvent

    events = RawInboundEvent.objects.filter(channel=channel)
    deadline = time.monotonic() + timeout
    while True:
        processed = events.filter(state=RawInboundEvent.State.PROCESSED).count()
        if processed >= events.count() or time.monotonic() >= deadline:
            return processed
        time.sleep(0.25)


def wait_queue_idle(redis_url, queue, timeout):
    """Wait (at most `timeout` s) until `queue` holds no task and no worker holds one unacknowledged.

    Our tasks carry no priority, so a queue is the one Redis list of its name (as RunContext.stop_worker
    assumes); reserved tasks of every queue sit in the "unacked" hash. Returns True when idle.
    """
    import redis

    client = redis.Redis.from_url(redis_url)
    deadline = time.monotonic() + timeout
    try:
        while True:
            if client.llen(queue) == 0 and client.hlen("unacked") == 0:
                return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.25)
    finally:
        client.close()
