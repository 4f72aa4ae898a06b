"""Which events someone listens to (a rule, a webhook), cached: they are asked on every committed event."""
from django.core.cache import cache
from django.db import transaction


def read(key, compute):
    """The cached list under `key`, or `compute()` stored there until it is forgotten."""
    names = cache.get(key)
    if names is None:
        names = compute()
        cache.set(key, names, None)
    return names


def forget(key):
    # Now, and again after commit: another process may have cached the old list in between.
    cache.delete(key)
    transaction.on_commit(lambda: cache.delete(key))
