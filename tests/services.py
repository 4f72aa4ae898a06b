"""Real services the suite depends on: skipped at home when absent, a failure in CI (CI=true)."""
import os

import pytest
from django.conf import settings
from django.db import connection


def in_ci():
    return os.environ.get("CI", "").lower() == "true"


def require(service, available, how):
    if available:
        return
    message = f"{service} is needed by this test: {how}"
    if in_ci():
        pytest.fail(f"{message} (CI=true: a missing service is a failure, not a skip)")
    pytest.skip(message)


def require_postgres():
    require("PostgreSQL", connection.vendor == "postgresql",
            "set DATABASE_URL=postgres://postgres@127.0.0.1:5432/test")


def redis_available():
    if not settings.REDIS_URL:
        return False
    import redis

    try:
        return redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2).ping()
    except redis.RedisError:
        return False


def require_redis():
    require("Redis", redis_available(), "set REDIS_URL=redis://127.0.0.1:6379/0 with Redis running")
