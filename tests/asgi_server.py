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
