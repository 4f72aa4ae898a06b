"""3. Websocket capacity: idle authenticated connections on one daphne process, how fast they connect,
memory each, one broadcast to all.

Baseline: the same daphne serving a bare ASGI app (bench/bare_asgi.py) that
accepts websockets and broadcasts in-process, without Django or Redis.
"""
import asyncio
import time

from conversations import events

from .. import fixtures
from ..clients import close_sockets, connect_sockets, wait_until, websocket_session
from ..processes import rss_bytes
from ..stats import Figure, at_least, at_most

NUMBER = 3
TITLE = "websocket capacity"
TARGET_CONNECTIONS = 10_000
TARGET_BYTES_PER_CONNECTION = 64 * 1024
TARGET_CONNECT_RATE_RATIO = 0.5
SESSIONS = 20  # agents whose sessions the connections share (round-robin)
SETTLE_SECONDS = 2
BROADCAST_WAIT_SECONDS = 60


BROADCAST_EVENT = "bench.broadcast"


class Broadcast:
    def __init__(self):
        self.arrivals = []

    def on_event(self, socket, name, payload, arrived):
        if name == BROADCAST_EVENT:
            self.arrivals.append(arrived)


async def hold(server, url, cookies, count, send_broadcast):
    """Open `count` websockets to `server`, measure its memory, broadcast once; returns the numbers."""
    broadcast = Broadcast()
    async with websocket_session() as session:
        warmup, _ = await connect_sockets(session, url, cookies, 20, broadcast.on_event)
        await close_sockets(warmup)
        await asyncio.sleep(SETTLE_SECONDS)
        rss_before = rss_bytes(server.pid)
        started = time.perf_counter()
        sockets, failures = await connect_sockets(session, url, cookies, count, broadcast.on_event)
        connect_seconds = time.perf_counter() - started
        try:
            await asyncio.sleep(SETTLE_SECONDS)
            rss_after = rss_bytes(server.pid)
            still_open = sum(not socket.ws.closed for socket in sockets)
            sent = time.perf_counter()
            await send_broadcast(sockets)
            await wait_until(lambda: len(broadcast.arrivals) >= len(sockets), BROADCAST_WAIT_SECONDS)
            reach = (max(broadcast.arrivals) - sent) if broadcast.arrivals else None
        finally:
            await close_sockets(sockets)
    return {
        "connected": len(sockets),
        "failures": failures,
        "connect_seconds": connect_seconds,
        "bytes_each": (rss_after - rss_before) / len(sockets) if sockets else None,
        "rss_after": rss_after,
        "reached": len(broadcast.arrivals),
        "open": still_open,
        "broadcast_seconds": reach,
    }


async def _bare_broadcast(sockets):
    await sockets[0].ws.send_str(f'broadcast:{{"type": "event", "event": "{BROADCAST_EVENT}", "payload": {{}}}}')


def _team_broadcast(team):
    """One event of the catalogue's kind to the team every socket is in, through the live fan-out."""
    broadcast = events.EventType(BROADCAST_EVENT, lambda _: {}, audience=lambda _: [events.team_group(team.pk)])

    async def send(sockets):
        await events.emit_now(broadcast, None)

    return send


def _summary(label, numbers):
    return (f"{label}: {numbers['connected']} connected in {numbers['connect_seconds']:.1f}s "
            f"({len(numbers['failures'])} failed {sorted(set(numbers['failures']))[:3]}), "
            f"{(numbers['bytes_each'] or 0) / 1024:.1f} KiB each (RSS {numbers['rss_after'] / 2**20:.0f} MiB), "
            f"broadcast reached {numbers['reached']} of the {numbers['open']} still open in "
            f"{(numbers['broadcast_seconds'] or 0) * 1000:.0f} ms")


def run(ctx):
    count = ctx.sizes.ws_connections
    services = ctx.services

    bare = services.daphne("daphne-bare", application="bench.bare_asgi:application")
    try:
        base = asyncio.run(hold(bare, bare.base_url.replace("http://", "ws://") + "/ws/", [], count, _bare_broadcast))
    finally:
        services.stop(bare)
    ctx.note("3 baseline bare ASGI " + _summary("app", base))

    team = fixtures.team("Capacity")
    cookies = [fixtures.session_cookie(fixtures.session_key(user)) for user in fixtures.agents("capacity", SESSIONS, team)]
    server = services.daphne("daphne-capacity")
    try:
        ours = asyncio.run(hold(server, server.base_url.replace("http://", "ws://") + "/ws/console/", cookies, count,
                                _team_broadcast(team)))
    finally:
        services.stop(server)
    ctx.note("3 OmniDesk console " + _summary("websockets", ours))

    target_connections = min(TARGET_CONNECTIONS, count)
    rate, bare_rate = (numbers["connected"] / numbers["connect_seconds"] if numbers["connect_seconds"] else None
                       for numbers in (ours, base))
    # Under CPU starvation daphne may close a few idle sockets whose pong came late (its 30 s ping
    # timeout): the broadcast must reach every socket still open.
    all_reached = ours["reached"] >= ours["open"]
    closed = ours["connected"] - ours["open"]
    return [
        Figure(NUMBER, "idle authenticated websockets held by one daphne", ours["connected"], "connections",
               base["connected"], f">= {target_connections}" + ("" if count >= TARGET_CONNECTIONS else " (quick run)"),
               at_least(ours["connected"], target_connections)),
        Figure(NUMBER, "authenticated websockets connected per second (baseline: bare ASGI app)", rate,
               "connections/s", bare_rate, f"ratio >= {TARGET_CONNECT_RATE_RATIO}",
               None if not (rate and bare_rate) else rate >= TARGET_CONNECT_RATE_RATIO * bare_rate),
        Figure(NUMBER, "memory per websocket (RSS growth / connections)", ours["bytes_each"], "B",
               base["bytes_each"], f"<= {TARGET_BYTES_PER_CONNECTION} B",
               at_most(ours["bytes_each"], TARGET_BYTES_PER_CONNECTION)),
        Figure(NUMBER, f"one broadcast reaching all {ours['connected']}", (ours["broadcast_seconds"] or 0) * 1000
               if ours["broadcast_seconds"] is not None else None, "ms",
               (base["broadcast_seconds"] or 0) * 1000 if base["broadcast_seconds"] is not None else None,
               target="all open sockets reached", meets=all_reached and ours["connected"] > 0,
               note=(f"reached {ours['reached']} of {ours['open']} open" +
                     (f"; {closed} closed by daphne's ping timeout before the broadcast" if closed else ""))
               if closed or not all_reached else ""),
    ]
