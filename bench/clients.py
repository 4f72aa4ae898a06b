"""Load generators (closed and open loop) and agent websockets, all with aiohttp on loopback, all bounded."""
import asyncio
import json
import time
from dataclasses import dataclass, field

import aiohttp

REQUEST_TIMEOUT = aiohttp.ClientTimeout(total=30)


def http_session(connections):
    return aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=connections), timeout=REQUEST_TIMEOUT)


@dataclass
class LoadResult:
    ok: int = 0
    errors: int = 0
    elapsed: float = 0.0
    latencies: list = field(default_factory=list)  # seconds, of the answers that were 2xx
    statuses: dict = field(default_factory=dict)
    sent_at: dict = field(default_factory=dict)  # request key -> perf_counter() when it was sent

    @property
    def rate(self):
        return self.ok / self.elapsed if self.elapsed else 0.0

    def count(self, status):
        self.statuses[status] = self.statuses.get(status, 0) + 1


async def _post(session, url, body, headers, result, started):
    try:
        async with session.post(url, data=body, headers=headers) as answer:
            await answer.read()
            status = answer.status
    except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
        status = type(exc).__name__
    result.count(status)
    if isinstance(status, int) and 200 <= status < 300:
        result.ok += 1
        result.latencies.append(time.perf_counter() - started)
    else:
        result.errors += 1


async def closed_loop(url, make_request, clients, seconds, max_requests):
    """`clients` clients posting back to back until `seconds` pass or `max_requests` are sent.

    make_request(sequence) -> (body, headers).
    """
    result = LoadResult()
    sequence = iter(range(max_requests))
    deadline = time.perf_counter() + seconds

    async def client(session):
        for number in sequence:
            if time.perf_counter() >= deadline:
                return
            body, headers = make_request(number)
            await _post(session, url, body, headers, result, time.perf_counter())

    async with http_session(clients) as session:
        started = time.perf_counter()
        await asyncio.gather(*(client(session) for _ in range(clients)))
        result.elapsed = time.perf_counter() - started
    return result


async def open_loop(url_for, make_request, rate, seconds, max_in_flight=400):
    """Requests started on a fixed schedule (`rate` per second for `seconds`), whatever the answers do.

    Latency counts from the scheduled start, so a stalled server is not hidden
    (no coordinated omission). make_request(sequence) -> (key, body, headers);
    url_for(sequence) -> URL. Returns the LoadResult with sent_at per key.
    """
    result = LoadResult()
    total = int(rate * seconds)
    in_flight = asyncio.Semaphore(max_in_flight)
    tasks = []

    async def one(session, url, body, headers, scheduled):
        async with in_flight:
            await _post(session, url, body, headers, result, scheduled)

    async with http_session(max_in_flight) as session:
        started = time.perf_counter()
        for number in range(total):
            scheduled = started + number / rate
            delay = scheduled - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            key, body, headers = make_request(number)
            result.sent_at[key] = time.perf_counter()
            tasks.append(asyncio.create_task(one(session, url_for(number), body, headers, scheduled)))
        await asyncio.wait_for(asyncio.gather(*tasks), timeout=60)
        result.elapsed = time.perf_counter() - started
    return result


class AgentSocket:
    """One agent's console websocket; `on_event(socket, name, payload, arrived_at)` sees its events.

    Frames without `wanted` in their text are skipped unparsed: the load
    generator shares the CPUs with the servers it measures.
    """

    def __init__(self, index, ws, on_event, wanted):
        self.index = index
        self.ws = ws
        self.on_event = on_event
        self.wanted = wanted
        self.reader = asyncio.create_task(self._read())

    async def _read(self):
        async for frame in self.ws:
            if frame.type != aiohttp.WSMsgType.TEXT:
                break
            arrived = time.perf_counter()
            if self.wanted not in frame.data:
                continue
            data = json.loads(frame.data)
            if data.get("type") == "event":
                self.on_event(self, data["event"], data["payload"], arrived)

    async def close(self):
        await self.ws.close()
        await asyncio.wait_for(self.reader, timeout=5)


def websocket_session():
    # No connection limit: every websocket holds its connection for the whole run.
    return aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0), timeout=aiohttp.ClientTimeout(total=None))


async def connect_sockets(session, url, cookies, count, on_event, wanted='"event"', concurrency=100,
                          timeout=300, first_frame="hello", first_frame_seconds=30):
    """Open `count` websockets to `url` (cookies used round-robin); returns (sockets, failures).

    Each socket counts once its first frame (`first_frame` type) arrives, so
    the server has really authenticated and subscribed it. A socket that is not
    open by `timeout` is a failure (named by why), never an exception: a slow
    server makes a figure that says so, not a crashed run.
    """
    origin = url.replace("ws://", "http://").split("/ws/")[0]
    gate = asyncio.Semaphore(concurrency)
    sockets, failures = [], []

    async def connect(index):
        async with gate:
            headers = {"Origin": origin}
            if cookies:
                headers["Cookie"] = cookies[index % len(cookies)]
            ws = None
            try:
                ws = await session.ws_connect(url, headers=headers, timeout=aiohttp.ClientWSTimeout(ws_close=5),
                                              heartbeat=None, max_msg_size=1 << 20)
                frame = await ws.receive(timeout=first_frame_seconds)
                if frame.type != aiohttp.WSMsgType.TEXT or json.loads(frame.data).get("type") != first_frame:
                    failures.append(f"first frame {frame.type}: {str(frame.data)[:80]}")
                    return
                sockets.append(AgentSocket(index, ws, on_event, wanted))
                ws = None
            except (aiohttp.ClientError, asyncio.TimeoutError, OSError) as exc:
                failures.append(type(exc).__name__)
            finally:
                if ws is not None:
                    await ws.close()

    tasks = [asyncio.create_task(connect(index)) for index in range(count)]
    _done, late = await asyncio.wait(tasks, timeout=timeout)
    for task in late:
        task.cancel()
    await asyncio.gather(*late, return_exceptions=True)
    failures += [f"not open after {timeout}s"] * len(late)
    return sockets, failures


async def close_sockets(sockets):
    await asyncio.gather(*(socket.close() for socket in sockets), return_exceptions=True)


async def wait_until(condition, timeout, step=0.05):
    """Poll `condition()` until true or `timeout` seconds; returns its last value."""
    deadline = time.perf_counter() + timeout
    while not condition() and time.perf_counter() < deadline:
        await asyncio.sleep(step)
    return condition()
