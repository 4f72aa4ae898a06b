"""Websocket groups of visitors, and whether a visitor has a widget open right now."""
import hashlib

from django.conf import settings

from conversations.shared_cache import shared_cache


def visitor_group(channel_id, kind, address):
    """Every open widget (tabs, devices) of one identity on one channel; never guessable from outside."""
    digest = hashlib.sha256(f"{channel_id}|{kind}|{address}".encode()).hexdigest()[:40]
    return f"webchat.{digest}"


def _presence_key(group):
    return f"webchat:present:{group}"


def mark_connected(group, connection):
    connections = shared_cache().get(_presence_key(group)) or set()
    connections.add(connection)
    shared_cache().set(_presence_key(group), connections, timeout=settings.WEBCHAT_VISITOR_PRESENCE_SECONDS)


def mark_disconnected(group, connection):
    connections = shared_cache().get(_presence_key(group)) or set()
    connections.discard(connection)
    shared_cache().set(_presence_key(group), connections, timeout=settings.WEBCHAT_VISITOR_PRESENCE_SECONDS)


def is_connected(group):
    return bool(shared_cache().get(_presence_key(group)))
