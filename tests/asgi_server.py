"""The real ASGI application served by daphne on 127.0.0.1, in a thread of the test process.

Sharing the process keeps the in-memory channel layer and eager Celery of
the embedded mode visible to the tests; with REDIS_URL set the layer is Redis.
"""
import socket
import threading
import time

from daphne.server import Server
from daphne.endpoints import build_endpoint_description_strings

_server = None


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start():
    """Start (once per process) and return the base URL."""
    global _server
    if _server is None:
        from omnidesk.asgi import application

        port = free_port()
        server = Server(
            application=application,
            endpoints=build_endpoint_description_strings(host="127.0.0.1", port=port),
            signal_handlers=False,
            verbosity=0,
        )
        threading.Thread(target=server.run, name="daphne", daemon=True).start()
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        else:
            raise RuntimeError("daphne did not start")
        _server = (server, f"http://127.0.0.1:{port}")
    return _server[1]


def wait_idle(timeout=10.0):
    """Wait until every request and socket the server was handling has finished its work.

    A closed browser's websockets still run their disconnect handlers (presence, viewers) in the
    server thread; the database flush that ends a test must not race them (it deadlocks).
    """
    if _server is None:
        return
    server = _server[0]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            instances = [details.get("application_instance") for details in list(server.connections.values())]
        except RuntimeError:  # the server thread changed the dict while we copied it
            continue
        if all(instance is None or instance.done() for instance in instances):
            return
        time.sleep(0.05)
    raise RuntimeError(f"the test server still had work in progress after {timeout:.0f} s")
