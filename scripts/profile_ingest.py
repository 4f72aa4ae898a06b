"""Profile the inbound path: queries, task runs and CPU per message, api-channel webhooks and emails.

Everything runs in this process on PostgreSQL, with Celery eager (the webhook view's task and every
follow-up task the layers queue run inline), so CPU and queries are web + worker together:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/od_profile REDIS_URL=redis://127.0.0.1:6379/9 \
        .venv/bin/python scripts/profile_ingest.py [--count 300] [--profile /tmp/ingest.prof]

The database is created and migrated when missing. A second run finds the customers of the first
(returning senders); each run uses fresh message ids.
"""
import argparse
import cProfile
import os
import sys
import time
import uuid
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "omnidesk.settings")
os.environ["CELERY_TASK_ALWAYS_EAGER"] = "true"
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ.setdefault("DEBUG", "false")


def _ensure_database():
    import psycopg

    url = os.environ["DATABASE_URL"]
    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as connection:
        if not connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            connection.execute(f'CREATE DATABASE "{name}"')


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--customers", type=int, default=100, help="api senders cycle over this many numbers")
    parser.add_argument("--profile", help="write a cProfile (CPU time, not wall: waits on the database excluded) of both loops to this file")
    parser.add_argument("--only", choices=["api", "email"])
    parser.add_argument("--sql", action="store_true", help="print the statements of the last message")
    args = parser.parse_args()

    _ensure_database()
    import django

    django.setup()
    from celery.signals import task_postrun, task_prerun
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    call_command("migrate", verbosity=0)
    from bench import email_corpus, fixtures
    from channels_adapters.base import signed_headers
    from conversations.actions import directory
    from conversations.models import Channel

    tasks, task_cpu, task_queries = Counter(), Counter(), Counter()
    running = []  # (task name, CPU at its start) of the eager tasks running now, innermost last

    def started(sender=None, **kwargs):
        tasks.update([sender.name])
        running.append((sender.name, time.process_time()))

    def finished(sender=None, **kwargs):
        name, at = running.pop()
        task_cpu[name] += time.process_time() - at
        if running:  # an eager task inside another: its CPU is its own, not its parent's
            running[-1] = (running[-1][0], running[-1][1] + time.process_time() - at)

    task_prerun.connect(started, weak=False)
    task_postrun.connect(finished, weak=False)
    statements = Counter()

    last_message_sql = []

    def count_query(execute, sql, params, many, context):
        if args.sql:
            last_message_sql.append(f"[{running[-1][0] if running else 'web view'}] {sql[:300]}")
        statements[sql.split(" ", 1)[0]] += 1
        task_queries[running[-1][0] if running else "web view"] += 1
        return execute(sql, params, many, context)
    client = Client()
    tag = uuid.uuid4().hex[:8]
    profiler = cProfile.Profile(time.process_time) if args.profile else None

    def measure(label, requests, warm_up=20):
        for url, body, headers in requests[:warm_up]:  # loads the sentiment model, fills caches
            client.post(url, body, content_type=headers["Content-Type"],
                        headers={k: v for k, v in headers.items() if k != "Content-Type"})
        requests = requests[warm_up:]
        for counter in (tasks, task_cpu, task_queries, statements):
            counter.clear()
        with connection.execute_wrapper(count_query):
            cpu, wall = time.process_time(), time.perf_counter()
            if profiler:
                profiler.enable()
            for url, body, headers in requests:
                last_message_sql.clear()
                response = client.post(url, body, content_type=headers.pop("Content-Type"),
                                       headers=headers)
                assert response.status_code == 200, response.content
            if profiler:
                profiler.disable()
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        count = len(requests)
        print(f"{label}: {count} messages; per message {sum(statements.values()) / count:.1f} queries, "
              f"{cpu / count * 1000:.2f} ms CPU, {wall / count * 1000:.2f} ms wall")
        print("  tasks: " + ", ".join(f"{name} x{n / count:.2f} {task_cpu[name] / count * 1000:.2f} ms "
                                      f"{task_queries[name] / count:.1f} q" for name, n in tasks.most_common()))
        print(f"  web view: {task_queries['web view'] / count:.1f} q")
        print("  statements: " + ", ".join(f"{kind} {n / count:.2f}" for kind, n in statements.most_common()))
        for line in last_message_sql:
            print("   ", line)

    if args.only in (None, "api"):
        channel = Channel.objects.filter(kind="api", name="Profile api").first() or fixtures.api_channel("Profile api")
        url = f"/webhooks/{channel.pk}/"
        requests = []
        for number in range(args.count):
            body, headers = fixtures.signed(fixtures.api_message(
                f"{tag}-{number}", fixtures.phone_number(11, number % args.customers), f"Hello {number}"))
            requests.append((url, body, headers))
        measure("api webhook", requests)

    if args.only in (None, "email"):
        secret = "profile-email-inbound-secret-0123456789"
        channel = Channel.objects.filter(kind="email", name="Profile email").first() or directory.create_channel(
            "email", "Profile email", {"address": email_corpus.MAILBOX, "inbound_secret": secret})
        url = f"/webhooks/{channel.pk}/"
        corpus = email_corpus.generate(args.count, domain=f"{tag}.example")
        requests = [(url, mail, {"Content-Type": "message/rfc822", **signed_headers(secret, mail)}) for mail in corpus]
        measure("email webhook", requests)

    if profiler:
        profiler.dump_stats(args.profile)


if __name__ == "__main__":
    main()
