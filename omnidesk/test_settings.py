"""Settings for the test suite: the environment's settings, with tasks run eagerly and files in a temp dir."""
import tempfile

from .settings import *  # noqa: F401,F403

CELERY_TASK_ALWAYS_EAGER = True
EMBEDDED_SCHEDULER = False
MEDIA_ROOT = tempfile.mkdtemp(prefix="omnidesk-test-media-")
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Retries in tests happen at once (eager), with the real attempt counting.
DELIVERY_BACKOFF_SECONDS = 0.01
# Server threads (daphne in tests/asgi_server.py) must not keep connections open past a request,
# or the test database cannot be dropped at the end of the run.
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
# Provider media is only ever fetched from the fake providers the tests start on 127.0.0.1.
MEDIA_FETCH_TRUST_PROVIDER_HOSTS = False
# Nor may a connection pool: pooled connections stay open between requests.
DATABASES["default"].get("OPTIONS", {}).pop("pool", None)  # noqa: F405
# Tasks are eager here: scoring every test's messages would load the sentiment model into every test
# process. The insights tests turn it on (tests/insights/conftest.py).
INSIGHTS_SENTIMENT_ON_ARRIVAL = False
# Outgoing webhooks go to receivers the tests start on this machine.
WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
# Sockets of most tests close for good; the disconnect grace has its own tests.
AGENT_DISCONNECT_GRACE_SECONDS = 0
