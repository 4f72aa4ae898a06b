"""A real HTTP server on 127.0.0.1 that records requests and answers what a test scripts.

Used as the fake of every provider's API (and of integrators' callback URLs).
"""
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class RecordedRequest:
    method: str
    path: str
    headers: dict
    body: bytes

    def json(self):
        return json.loads(self.body)


class QuietHandler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass


class LocalHTTPServer:
    """A threaded HTTP server on a free port of 127.0.0.1, serving `handler` while in a `with` block."""

    def __init__(self, handler):
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @property
    def url(self):
        host, port = self._httpd.server_address
        return f"http://{host}:{port}"

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._httpd.shutdown()
        self._httpd.server_close()


@dataclass
class ScriptedResponse:
    status: int = 200
    body: bytes | str | dict | list = b""
    headers: dict = field(default_factory=dict)
    content_type: str = "application/json"


class FakeHTTPServer(LocalHTTPServer):
    """`respond(...)` queues answers (the last one repeats); `requests` lists what arrived."""

    def __init__(self):
        self.requests = []
        self._responses = []
        self._default = ScriptedResponse(200, {})
        self._lock = threading.Lock()
        self.routes = {}  # exact path -> ScriptedResponse, checked before the queue
        fake = self

        class Handler(QuietHandler):
            def _handle(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                request = RecordedRequest(self.command, self.path, dict(self.headers), body)
                with fake._lock:
                    fake.requests.append(request)
                    response = fake.routes.get(self.path.split("?")[0])
                    if response is None:
                        response = fake._responses.pop(0) if len(fake._responses) > 1 else (
                            fake._responses[0] if fake._responses else fake._default)
                payload = response.body
                if isinstance(payload, (dict, list)):
                    payload = json.dumps(payload).encode()
                elif isinstance(payload, str):
                    payload = payload.encode()
                self.send_response(response.status)
                self.send_header("Content-Type", response.content_type)
                self.send_header("Content-Length", str(len(payload)))
                for key, value in response.headers.items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_PUT = do_DELETE = _handle

        super().__init__(Handler)

    def respond(self, *responses):
        with self._lock:
            self._responses = list(responses)
