"""The default cache as ONE instance for the whole process, for what live connections keep there.

`django.core.cache.cache` is one instance per thread and per asyncio context (asgiref's
Local), and each Redis cache instance opens a connection pool of its own. Every websocket
consumer runs in a context of its own, so each connection opened its own Redis connection
for its presence (most of the cost of connecting thousands of consoles at once). The
cache backends are thread-safe: one instance serves every thread and connection.
"""
from functools import cache as once

from django.core.cache import DEFAULT_CACHE_ALIAS, caches


@once
def shared_cache():
    return caches.create_connection(DEFAULT_CACHE_ALIAS)
