"""Session authentication of the console's websockets, off the one thread that sync code shares.

Channels' AuthMiddleware looks the session and user up on the process's single
thread for thread-sensitive sync code, so thousands of agents reconnecting at
once (after a deploy) queue there one by one and daphne refuses the late ones.
A session lookup needs no particular thread: any thread of the pool does it.
"""
from channels.auth import AuthMiddleware, get_user
from channels.db import DatabaseSyncToAsync
from channels.sessions import CookieMiddleware, SessionMiddleware

_get_user = DatabaseSyncToAsync(get_user.func, thread_sensitive=False)


class PooledAuthMiddleware(AuthMiddleware):
    async def resolve_scope(self, scope):
        scope["user"]._wrapped = await _get_user(scope)


def ConsoleAuthMiddlewareStack(inner):  # noqa: N802  (named like Channels' AuthMiddlewareStack it replaces)
    return CookieMiddleware(SessionMiddleware(PooledAuthMiddleware(inner)))
