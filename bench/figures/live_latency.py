"""2. Live latency: webhook POST -> the message's frame on 50 agents' websockets, open loop, vs a raw Redis round trip.

Each agent gets one frame per message: the inbox row (conversation.updated), or
the full message where the conversation is open. Three rates: past what the
machine can ingest (100/s), medium (30/s) and light (10/s). Then the fan-out
alone: the same frame published straight to the channel layer at the same pace,
to the console sockets and to a bare Channels relay (bench/bare_relay.py) on the
same daphne and Redis: daphne CPU per frame, ours against the floor.
"""
import asyncio
import os
import time
import uuid

import redis.asyncio as aioredis
from django.conf import settings

from .. import fixtures
from ..bare_relay import RELAY_GROUP, RELAY_MESSAGE
from ..clients import close_sockets, connect_sockets, open_loop, wait_until, websocket_session
from ..processes import cpu_seconds
from ..stack import wait_processed, wait_queue_idle
from ..stats import Figure, at_least, at_most, percentile

NUMBER = 2
TITLE = "live latency"
# p99 targets (ms): at the full load (the sizes' live_rate, 100/s) every event must still arrive.
FULL_LOAD_P99_MS = 500
# Lighter loads, msg/s -> p99 target (ms): the latency of the path itself.
LIGHTER_RATES = {30: 50, 10: 30}
DELIVERY_WAIT_SECONDS = 15
WARM_UP_MESSAGES = 10
FANOUT_RATE = 100
FANOUT_CPU_TARGET_RATIO = 1.5
ROW_EVENTS = ("conversation.updated", "conversation.created")


class Arrivals:
    """Arrival times of each message's frame, by message text (a token per webhook) and socket.

    The text is the inbox row's preview, or the full message's text where it is open. `frames`
    counts every frame about a message, to show that an agent gets one per change.
    """

    WANTED = '"event"'

    def __init__(self):
        self.times = {}
        self.frames = 0

    def on_event(self, socket, name, payload, arrived):
        if name == "message.created":
            token = payload["text"]
        elif name in ROW_EVENTS:
            token = payload["last_message_preview"]
        else:
            return
        self.frames += 1
        self.times.setdefault(token, {}).setdefault(socket.index, arrived)

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
    processes = {"daphne": (ctx.web.pid, True), "live worker": (ctx.worker.pid, True),
                 "background worker": (ctx.background_worker.pid, True), "load generator": (os.getpid(), False)}
    cpu_before = {}
    posted, arrivals, connected, failures = asyncio.run(measure(
        ctx.web.base_url, channel, cookies, sizes.live_agents, rate, sizes.live_seconds, f"live-{uuid.uuid4().hex[:8]}",
        on_connected=lambda: cpu_before.update((name, cpu_seconds(*process)) for name, process in processes.items())))
    wait_processed(channel, sizes.ingest_drain_seconds)  # leave no backlog to what comes next
    wait_queue_idle(ctx.env.redis_url, settings.CELERY_BACKGROUND_QUEUE, sizes.ingest_drain_seconds)
    cpu = {name: (cpu_seconds(*process) - cpu_before[name]) / max(posted.ok, 1) * 1000
           for name, process in processes.items()}
    latencies = arrivals.latencies(posted.sent_at)
    expected = len(posted.sent_at) * connected
    frames_each = arrivals.frames / expected if expected else 0.0
    ctx.note(f"2 CPU per message at {rate:.0f}/s with {connected} agents ({frames_each:.2f} frames per message "
             "and agent): " + ", ".join(f"{name} {ms:.1f} ms" for name, ms in cpu.items()))
    p50 = percentile(latencies, 0.5) * 1000 if latencies else None
    p99 = percentile(latencies, 0.99) * 1000 if latencies else None
    delivered = len(latencies) / expected if expected else 0.0
    ctx.note(f"2 {connected} agents connected ({len(failures)} failed), {posted.ok} webhooks at {rate:.0f}/s "
             f"({posted.errors} errors): {len(latencies)}/{expected} events delivered within "
             f"{DELIVERY_WAIT_SECONDS}s of the last POST, p50 {p50 or 0:.1f} ms, p99 {p99 or 0:.1f} ms, "
             f"max {max(latencies, default=0) * 1000:.0f} ms")
    complete = delivered == 1.0 and connected == sizes.live_agents and posted.errors == 0
    return p50, p99, delivered, complete, connected


def _row_payload(token):
    """An inbox row as the console gets it, the token as its last message's preview."""
    return {"id": 1, "customer": {"id": 1, "name": "Bench customer"}, "status": "open", "priority": "normal",
            "team": 1, "assignee": None, "waiting_since": "2026-01-01T00:00:00+00:00",
            "last_message_at": "2026-01-01T00:00:00+00:00", "last_message_preview": token, "last_channel_kind": "api"}


async def fan_out(server, url, cookies, agents, publish, rate, seconds, tag):
    """Publish a row frame `rate` times a second to `agents` sockets of `server`; CPU per frame and latencies."""
    arrivals = Arrivals()
    async with websocket_session() as session:
        sockets, failures = await connect_sockets(session, url, cookies, agents, arrivals.on_event)
        try:
            await asyncio.sleep(1)  # connecting is not what is measured
            cpu_before = cpu_seconds(server.pid)
            sent_at = {}
            started = time.perf_counter()
            for number in range(int(rate * seconds)):
                delay = started + number / rate - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
                token = f"{tag}-{number}"
                sent_at[token] = time.perf_counter()
                await publish(token)
            await wait_until(lambda: arrivals.complete(list(sent_at), len(sockets)), DELIVERY_WAIT_SECONDS)
            cpu = cpu_seconds(server.pid) - cpu_before
        finally:
            await close_sockets(sockets)
    latencies = arrivals.latencies(sent_at)
    return {"cpu_per_frame": cpu / len(latencies) if latencies else None, "frames": len(latencies),
            "expected": len(sent_at) * len(sockets), "failures": failures,
            "p99": percentile(latencies, 0.99) * 1000 if latencies else None}


def _fan_out_costs(ctx, team, cookies):
    """The console's fan-out against the bare relay, the same frames at the same pace on the same layer."""
    from channels.layers import get_channel_layer

    from conversations import events

    sizes = ctx.sizes
    row = events.EventType(events.CONVERSATION_UPDATED.name, _row_payload,
                           audience=lambda token: [events.team_group(team.pk)])

    async def to_console(token):
        await events.emit_now(row, token)

    async def to_relay(token):
        await get_channel_layer().group_send(RELAY_GROUP, {"type": RELAY_MESSAGE,
                                                           "text": events.encode_frame(row, _row_payload(token))})

    seconds = max(5.0, sizes.live_seconds / 3)
    relay = ctx.services.daphne("daphne-relay", application="bench.bare_relay:application")
    try:
        bare = asyncio.run(fan_out(relay, relay.base_url.replace("http://", "ws://") + "/ws/", [], sizes.live_agents,
                                   to_relay, FANOUT_RATE, seconds, f"relay-{uuid.uuid4().hex[:8]}"))
    finally:
        ctx.services.stop(relay)
    ours = asyncio.run(fan_out(ctx.web, ctx.web.base_url.replace("http://", "ws://") + "/ws/console/", cookies,
                               sizes.live_agents, to_console, FANOUT_RATE, seconds, f"fan-{uuid.uuid4().hex[:8]}"))
    for label, numbers in (("bare Channels relay", bare), ("console", ours)):
        ctx.note(f"2 fan-out alone, {label}: {numbers['frames']}/{numbers['expected']} frames at {FANOUT_RATE}/s to "
                 f"{sizes.live_agents} sockets ({len(numbers['failures'])} failed to connect), daphne CPU "
                 f"{(numbers['cpu_per_frame'] or 0) * 1e6:.0f} us per frame, p99 {numbers['p99'] or 0:.1f} ms")
    value = ours["cpu_per_frame"] * 1e6 if ours["cpu_per_frame"] else None
    baseline = bare["cpu_per_frame"] * 1e6 if bare["cpu_per_frame"] else None
    late = [f"{label} {numbers['frames']}/{numbers['expected']} frames within {DELIVERY_WAIT_SECONDS}s"
            for label, numbers in (("console", ours), ("relay", bare)) if numbers["frames"] < numbers["expected"]]
    return Figure(NUMBER, f"fan-out daphne CPU per frame ({FANOUT_RATE} events/s to {sizes.live_agents} sockets; "
                          "baseline: bare Channels relay)", value, "us", baseline,
                  f"<= {FANOUT_CPU_TARGET_RATIO}x baseline",
                  None if not (value and baseline) else value <= FANOUT_CPU_TARGET_RATIO * baseline,
                  note="; ".join(late))


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
    figures = []
    for rate, target_ms in {sizes.live_rate: FULL_LOAD_P99_MS, **LIGHTER_RATES}.items():
        p50, p99, delivered, complete, connected = _run_at(ctx, channel, cookies, rate)
        figures.append(Figure(NUMBER, f"POST -> event on {connected} agents, p99 at {rate:.0f} msg/s", p99, "ms",
                              baseline_p99, f"<= {target_ms} ms", at_most(p99, target_ms) and complete))
        if rate == sizes.live_rate:
            figures += [
                Figure(NUMBER, f"POST -> event, p50 at {rate:.0f} msg/s", p50, "ms", baseline_p50),
                Figure(NUMBER, f"events delivered at {rate:.0f} msg/s", delivered * 100, "%", target="100 %",
                       meets=at_least(delivered, 1.0)),
            ]
    figures.append(_fan_out_costs(ctx, team, cookies))
    return figures
