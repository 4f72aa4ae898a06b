"""2. Live latency: webhook POST -> message.created on 50 agents' websockets, open loop, vs a raw Redis round trip."""
import asyncio
import os
import time
import uuid

import redis.asyncio as aioredis

from .. import fixtures
from ..clients import close_sockets, connect_sockets, open_loop, wait_until, websocket_session
from ..processes import cpu_seconds
from ..stack import wait_processed
from ..stats import Figure, at_least, at_most, percentile

NUMBER = 2
TITLE = "live latency"
P99_TARGET_MS = 50
DELIVERY_WAIT_SECONDS = 15
LIGHT_RATE = 10
WARM_UP_MESSAGES = 10


class Arrivals:
    """Arrival times of message.created events, by message text (a token per webhook) and socket."""

    WANTED = '"message.created"'

    def __init__(self):
        self.times = {}

    def on_event(self, socket, name, payload, arrived):
        if name == "message.created":
            self.times.setdefault(payload["text"], {})[socket.index] = arrived

    def complete(self, tokens, sockets):
        return all(len(self.times.get(token, ())) >= sockets for token in tokens)

    def latencies(self, sent_at, socket_indexes=None):
        values = []
        for token, sent in sent_at.items():
            for index, arrived in self.times.get(token, {}).items():
                if socket_indexes is None or index in socket_indexes:
                    values.append(arrived - sent)
        return values


async def redis_round_trips(redis_url, rate, count):
    """Publish `count` messages at `rate` on a Redis channel and time each one to its subscriber."""
    client = aioredis.Redis.from_url(redis_url)
    pubsub = client.pubsub()
    channel = f"bench-rtt-{uuid.uuid4().hex}"
    await pubsub.subscribe(channel)
    await pubsub.get_message(timeout=1)  # the subscribe confirmation
    latencies = []

    async def listen():
        while len(latencies) < count:
            message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=1)
            if message is not None:
                latencies.append(time.perf_counter() - float(message["data"]))

    listener = asyncio.create_task(listen())
    started = time.perf_counter()
    for number in range(count):
        delay = started + number / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        await client.publish(channel, repr(time.perf_counter()))
    await asyncio.wait_for(listener, timeout=10)
    await pubsub.aclose()
    await client.aclose()
    return latencies


def webhook_maker(tag, area):
    """Signed api-channel webhooks whose text is a unique token (what the agents' events are matched on)."""
    def make(number):
        token = f"{tag}-{number}"
        payload = fixtures.api_message(token, fixtures.phone_number(area, number % 500), token)
        return (token, *fixtures.signed(payload))

    return make


def warm_up(web_urls, channel, timeout):
    """A few messages through every web process and worker first: no cold start in what is measured."""
    make = webhook_maker(f"warm-{uuid.uuid4().hex[:8]}", 41)
    asyncio.run(open_loop(lambda number: f"{web_urls[number % len(web_urls)]}/webhooks/{channel.pk}/", make,
                          rate=10, seconds=WARM_UP_MESSAGES / 10))
    wait_processed(channel, timeout)


async def measure(web_url, channel, cookies, agents, rate, seconds, tag, on_connected):
    arrivals = Arrivals()
    async with websocket_session() as session:
        sockets, failures = await connect_sockets(session, web_url.replace("http://", "ws://") + "/ws/console/",
                                                  cookies, agents, arrivals.on_event, wanted=Arrivals.WANTED)
        try:
            on_connected()
            webhook_url = f"{web_url}/webhooks/{channel.pk}/"
            posted = await open_loop(lambda number: webhook_url, webhook_maker(tag, 21), rate, seconds)
            tokens = list(posted.sent_at)
            await wait_until(lambda: arrivals.complete(tokens, len(sockets)), DELIVERY_WAIT_SECONDS)
        finally:
            await close_sockets(sockets)
    return posted, arrivals, len(sockets), failures


def _run_at(ctx, channel, cookies, rate):
    sizes = ctx.sizes
    processes = {"daphne": (ctx.web.pid, True), "Celery worker": (ctx.worker.pid, True),
                 "load generator": (os.getpid(), False)}
    cpu_before = {}
    posted, arrivals, connected, failures = asyncio.run(measure(
        ctx.web.base_url, channel, cookies, sizes.live_agents, rate, sizes.live_seconds, f"live-{uuid.uuid4().hex[:8]}",
        on_connected=lambda: cpu_before.update((name, cpu_seconds(*process)) for name, process in processes.items())))
    wait_processed(channel, sizes.ingest_drain_seconds)  # leave no backlog to what comes next
    cpu = {name: (cpu_seconds(*process) - cpu_before[name]) / max(posted.ok, 1) * 1000
           for name, process in processes.items()}
    ctx.note(f"2 CPU per message at {rate:.0f}/s with {connected} agents (two websocket frames each): " +
             ", ".join(f"{name} {ms:.1f} ms" for name, ms in cpu.items()))
    latencies = arrivals.latencies(posted.sent_at)
    expected = len(posted.sent_at) * connected
    p50 = percentile(latencies, 0.5) * 1000 if latencies else None
    p99 = percentile(latencies, 0.99) * 1000 if latencies else None
    delivered = len(latencies) / expected if expected else 0.0
    ctx.note(f"2 {connected} agents connected ({len(failures)} failed), {posted.ok} webhooks at {rate:.0f}/s "
             f"({posted.errors} errors): {len(latencies)}/{expected} events delivered within "
             f"{DELIVERY_WAIT_SECONDS}s of the last POST, p50 {p50 or 0:.1f} ms, p99 {p99 or 0:.1f} ms, "
             f"max {max(latencies, default=0) * 1000:.0f} ms")
    complete = delivered == 1.0 and connected == sizes.live_agents and posted.errors == 0
    return p50, p99, delivered, complete, connected


def run(ctx):
    sizes = ctx.sizes
    team = fixtures.team("Live latency")
    channel = fixtures.api_channel("Bench live", channel_team=team)
    users = fixtures.agents("live", sizes.live_agents, team)
    cookies = [fixtures.session_cookie(fixtures.session_key(user)) for user in users]

    baseline = asyncio.run(redis_round_trips(ctx.env.redis_url, sizes.live_rate, int(sizes.live_rate * sizes.live_seconds)))
    baseline_p50, baseline_p99 = percentile(baseline, 0.5) * 1000, percentile(baseline, 0.99) * 1000
    ctx.note(f"2 baseline Redis publish -> subscriber at {sizes.live_rate:.0f}/s: p50 {baseline_p50:.2f} ms, "
             f"p99 {baseline_p99:.2f} ms")
    warm_up([ctx.web.base_url], channel, sizes.ingest_drain_seconds)
    p50, p99, delivered, complete, connected = _run_at(ctx, channel, cookies, sizes.live_rate)
    figures = [
        Figure(NUMBER, f"POST -> event on {connected} agents, p99 at {sizes.live_rate:.0f} msg/s", p99, "ms",
               baseline_p99, f"<= {P99_TARGET_MS} ms", at_most(p99, P99_TARGET_MS) and complete),
        Figure(NUMBER, f"POST -> event, p50 at {sizes.live_rate:.0f} msg/s", p50, "ms", baseline_p50),
        Figure(NUMBER, f"events delivered at {sizes.live_rate:.0f} msg/s", delivered * 100, "%", target="100 %",
               meets=at_least(delivered, 1.0)),
    ]
    # Past what one daphne process can fan out (see the CPU notes) a queue builds and latency only
    # says so; a light load shows the latency of the path itself.
    p50, p99, delivered, complete, connected = _run_at(ctx, channel, cookies, LIGHT_RATE)
    figures.append(Figure(NUMBER, f"POST -> event on {connected} agents, p99 at {LIGHT_RATE} msg/s (light load)",
                          p99, "ms", baseline_p99, f"<= {P99_TARGET_MS} ms", at_most(p99, P99_TARGET_MS) and complete))
    return figures
