"""1. Ingest throughput of signed api-channel webhooks, stored and fully ingested, vs a bare signed-insert view."""
import asyncio
import os
import time
import uuid

from django.conf import settings
from django.db import connection
from django.db.models import Max, Min

from conversations.models import Message, RawInboundEvent

from .. import fixtures
from ..clients import closed_loop, open_loop
from ..processes import cpu_seconds
from ..stack import BASELINE_TABLE, wait_processed, wait_queue_idle
from ..stats import Figure, at_least, at_most, percentile

NUMBER = 1
TITLE = "ingest throughput"
CUSTOMERS = 5_000  # senders cycle over this many phone numbers: new and returning customers mixed
# Targets against the bare signed-insert view measured in the same run.
RATE_RATIO = 0.5  # fully ingested rate >= this x the bare view's
CPU_RATIO = 2  # web + worker CPU per message <= this x the bare view's per request
P99_RATIO = 2  # webhook answer p99 at half the max rate <= this x the bare view's


def _request_maker(tag):
    def make(number):
        payload = fixtures.api_message(f"{tag}-{number}", fixtures.phone_number(11, number % CUSTOMERS), f"Hello {number}")
        return fixtures.signed(payload)

    return make


def _paced(url, tag, rate, seconds):
    make = _request_maker(tag)
    return asyncio.run(open_loop(lambda number: url, lambda number: (number, *make(number)), rate, seconds))


def _p99_ms(result):
    return percentile(result.latencies, 0.99) * 1000 if result.latencies else None


def run(ctx):
    sizes = ctx.sizes
    channel = fixtures.api_channel("Bench ingest")
    webhook_url = f"{ctx.web.base_url}/webhooks/{channel.pk}/"
    baseline_url = f"{ctx.web.base_url}/bench/baseline/{channel.pk}/"
    tag = uuid.uuid4().hex[:8]

    daphne_before = cpu_seconds(ctx.web.pid)
    baseline = asyncio.run(closed_loop(baseline_url, _request_maker(f"base-{tag}"), sizes.ingest_clients,
                                       sizes.ingest_seconds, sizes.ingest_max_requests))
    baseline_cpu_ms = (cpu_seconds(ctx.web.pid) - daphne_before) / max(baseline.ok, 1) * 1000
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {BASELINE_TABLE} WHERE channel_id = %s", [channel.pk])
        baseline_rows = cursor.fetchone()[0]
    ctx.note(f"1 baseline signed insert: {baseline.ok} answered 200 in {baseline.elapsed:.1f}s "
             f"({baseline.rate:.0f}/s), {baseline_rows} rows, statuses {baseline.statuses}; daphne CPU "
             f"{baseline_cpu_ms:.1f} ms per request")

    processes = {"daphne": (ctx.web.pid, True), "live worker": (ctx.worker.pid, True),
                 "background worker": (ctx.background_worker.pid, True), "load generator": (os.getpid(), False)}
    cpu_before = {name: cpu_seconds(*process) for name, process in processes.items()}
    started_wall = time.time()
    stored = asyncio.run(closed_loop(webhook_url, _request_maker(f"hook-{tag}"), sizes.ingest_clients,
                                     sizes.ingest_seconds, sizes.ingest_max_requests))
    stored_rows = RawInboundEvent.objects.filter(channel=channel).count()
    ctx.note(f"1 webhook: {stored.ok} answered 200 in {stored.elapsed:.1f}s ({stored.rate:.0f}/s), "
             f"{stored_rows} raw events stored, statuses {stored.statuses}")

    processed = wait_processed(channel, sizes.ingest_drain_seconds)
    # What the layers do after each message (sentiment, journey, segments, rollups) is counted apart,
    # once it has all been done: it runs on its own queue, after the message reached the agents.
    background_idle = wait_queue_idle(ctx.env.redis_url, settings.CELERY_BACKGROUND_QUEUE, sizes.ingest_drain_seconds)
    span = RawInboundEvent.objects.filter(channel=channel, state=RawInboundEvent.State.PROCESSED).aggregate(
        first=Min("received_at"), last=Max("processed_at"))
    messages = Message.objects.filter(channel=channel).count()
    ingest_seconds = span["last"].timestamp() - started_wall if span["last"] else None
    ingested_rate = processed / ingest_seconds if ingest_seconds else None
    ctx.note(f"1 fully ingested: {processed}/{stored_rows} raw events processed, {messages} messages, "
             f"{ingest_seconds or 0:.1f}s from the first POST to the last processed event")
    cpu = {name: (cpu_seconds(*process) - cpu_before[name]) / max(processed, 1) * 1000
           for name, process in processes.items()}
    ctx.note("1 CPU per ingested message: " + ", ".join(f"{name} {ms:.1f} ms" for name, ms in cpu.items()) +
             " (PostgreSQL and Redis not counted)" + ("" if background_idle else "; the background queue had not "
                                                      "drained, so its figure is too low"))

    half_rate = max(stored.rate / 2, 1)
    paced_baseline = _paced(baseline_url, f"p99b-{tag}", half_rate, sizes.ingest_seconds)
    paced = _paced(webhook_url, f"p99-{tag}", half_rate, sizes.ingest_seconds)
    p99_ms, baseline_p99_ms = _p99_ms(paced), _p99_ms(paced_baseline)
    ctx.note(f"1 paced at {half_rate:.0f}/s: webhook {paced.ok} ok, {paced.errors} errors, p50 "
             f"{percentile(paced.latencies, 0.5) * 1000:.1f} ms, p99 {p99_ms:.1f} ms; baseline view p99 "
             f"{baseline_p99_ms:.1f} ms")
    wait_processed(channel, sizes.ingest_drain_seconds)

    complete = processed == stored_rows == stored.ok and messages == stored_rows
    ratio = ingested_rate / baseline.rate if ingested_rate and baseline.rate else None
    ingest_cpu_ms = cpu["daphne"] + cpu["live worker"]
    cpu_ratio = ingest_cpu_ms / baseline_cpu_ms if baseline_cpu_ms else None
    p99_ratio = p99_ms / baseline_p99_ms if p99_ms and baseline_p99_ms else None
    profile = (f"per message: daphne {cpu['daphne']:.1f} ms CPU, live worker {cpu['live worker']:.1f} ms, "
               f"background worker {cpu['background worker']:.1f} ms (bare view {baseline_cpu_ms:.1f} ms); "
               "PostgreSQL, the background worker and the load generator on the same 2 cores")
    return [
        Figure(NUMBER, "webhooks stored (answered 200)", stored.rate, "req/s", baseline.rate),
        Figure(NUMBER, "webhooks fully ingested", ingested_rate, "msg/s", baseline.rate, f"ratio >= {RATE_RATIO}",
               at_least(ratio, RATE_RATIO) and complete,
               note="" if complete else f"only {processed} of {stored_rows} stored events processed", reason=profile),
        Figure(NUMBER, "web + worker CPU per fully ingested message", ingest_cpu_ms, "ms", baseline_cpu_ms,
               f"ratio <= {CPU_RATIO}", at_most(cpu_ratio, CPU_RATIO), reason=profile),
        Figure(NUMBER, "background layers' CPU per message (sentiment, journey, segments, rollups; own queue)",
               cpu["background worker"], "ms", baseline_cpu_ms,
               note="" if background_idle else "the background queue had not drained"),
        Figure(NUMBER, f"webhook answer p99 at 50% of max rate ({half_rate:.0f}/s)", p99_ms, "ms", baseline_p99_ms,
               target=f"ratio <= {P99_RATIO}", meets=at_most(p99_ratio, P99_RATIO) and paced.errors == 0,
               reason=f"p50 {percentile(paced.latencies, 0.5) * 1000:.1f} ms; {profile}" if paced.latencies else profile),
    ]
