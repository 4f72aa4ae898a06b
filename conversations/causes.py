"""Why something happened: the root event a chain of automatic changes started from, and how deep it is.

Automation runs its actions inside `caused_by(...)`; every event emitted meanwhile carries that cause
(captured when the event is emitted, not when it is sent after commit), so rules can fire at most once
per root event and chains stop at a depth limit. Outside automation there is no cause: the event is a root.
"""
import contextvars
from contextlib import contextmanager
from dataclasses import dataclass


@dataclass(frozen=True)
class Cause:
    root_event_id: str
    depth: int
    rule_id: int | None = None


_current = contextvars.ContextVar("omnidesk_cause", default=None)


def current():
    return _current.get()


@contextmanager
def caused_by(cause):
    token = _current.set(cause)
    try:
        yield cause
    finally:
        _current.reset(token)
