"""6. Two daphne processes and two workers on one Redis and PostgreSQL: events cross from one process to the other."""
import asyncio
import uuid

from .. import fixtures
from ..clients import close_sockets, connect_sockets, open_loop, wait_until, websocket_session
from ..stack import wait_processed
from ..stats import Figure, percentile
from .live_latency import DELIVERY_WAIT_SECONDS, Arrivals, warm_up, webhook_maker

NUMBER = 6
TITLE = "two processes"


async def measure(web_urls, channel, cookies, agents, rate, count, tag):
    """Post alternately to each web process; agents listen on both. Returns (sent_at, posted_to, arrivals, sockets)."""
    arrivals = [Arrivals(), Arrivals()]
    posted_to = {}
    async with websocket_session() as session:
        sockets = []
        try:
            for side, url in enumerate(web_urls):
                opened, failures = await connect_sockets(session, url.replace("http://", "ws://") + "/ws/console/",
                                                         cookies, agents, arrivals[side].on_event,
                                                         wanted=Arrivals.WANTED)
                sockets.append(opened)
            webhook_urls = [f"{url}/webhooks/{channel.pk}/" for url in web_urls]
            make_webhook = webhook_maker(tag, 31)

            def make(number):
                token, body, headers = make_webhook(number)
                posted_to[token] = number % 2
                return token, body, headers

            posted = await open_loop(lambda number: webhook_urls[number % 2], make, rate, count / rate)
            tokens = list(posted.sent_at)
            await wait_until(lambda: all(arrivals[side].complete(tokens, len(sockets[side])) for side in (0, 1)),
                             DELIVERY_WAIT_SECONDS)
        finally:
            for opened in sockets:
                await close_sockets(opened)
    return posted, posted_to, arrivals, [len(opened) for opened in sockets]


def _latencies(posted, posted_to, arrivals, crossing):
    values = []
    for token, sent in posted.sent_at.items():
        side = 1 - posted_to[token] if crossing else posted_to[token]
        values += [arrived - sent for arrived in arrivals[side].times.get(token, {}).values()]
    return values


def run(ctx):
    sizes = ctx.sizes
    second_worker = ctx.services.start_worker("worker-2", ctx.env.worker_concurrency)
    second_web = ctx.services.daphne("daphne-2")
    second_worker.wait_ready()
    try:
        team = fixtures.team("Two processes")
        channel = fixtures.api_channel("Bench two processes", channel_team=team)
        users = fixtures.agents("pair", sizes.pair_agents, team)
        cookies = [fixtures.session_cookie(fixtures.session_key(user)) for user in users]
        warm_up([ctx.web.base_url, second_web.base_url], channel, sizes.ingest_drain_seconds)
        posted, posted_to, arrivals, connected = asyncio.run(
            measure([ctx.web.base_url, second_web.base_url], channel, cookies, sizes.pair_agents, sizes.pair_rate,
                    sizes.pair_messages, f"pair-{uuid.uuid4().hex[:8]}"))
        wait_processed(channel, sizes.ingest_drain_seconds)
    finally:
        ctx.services.stop(second_web)
        ctx.services.stop(second_worker)

    crossing = _latencies(posted, posted_to, arrivals, crossing=True)
    same = _latencies(posted, posted_to, arrivals, crossing=False)
    expected = len(posted.sent_at) * sizes.pair_agents  # per direction kind: each message reaches both sides
    p99_cross = percentile(crossing, 0.99) * 1000 if crossing else None
    p99_same = percentile(same, 0.99) * 1000 if same else None
    ctx.note(f"6 {connected} agents on the two daphne processes, {posted.ok} webhooks ({posted.errors} errors) "
             f"alternately to each: {len(crossing)}/{expected} events reached the other process (p50 "
             f"{(percentile(crossing, 0.5) or 0) * 1000:.1f} ms, p99 {p99_cross or 0:.1f} ms), {len(same)}/{expected} "
             f"the same process (p99 {p99_same or 0:.1f} ms)")
    return [
        Figure(NUMBER, "events reaching agents on the other daphne process", len(crossing), "events",
               target=f"{expected} (all)", meets=len(crossing) == expected and posted.errors == 0),
        Figure(NUMBER, "POST -> event on the other process, p99 (baseline: same process)", p99_cross, "ms", p99_same),
    ]
