"""Connecting a store: its configuration validated by its connector before anything is stored."""
from django.db import transaction

from channels_adapters.base import ConfigError
from conversations.actions.errors import ActionError

from ..models import Store
from ..registry import CONNECTORS


def _connector_class(kind):
    connector = CONNECTORS.get(kind)
    if connector is None:
        raise ActionError(f"Unknown store kind; one of {', '.join(sorted(CONNECTORS))}.", field="kind")
    return connector


@transaction.atomic
def create_store(kind, name, config):
    connector = _connector_class(kind)
    name = (name or "").strip()[:150]
    if not name:
        raise ActionError("A store needs a name.", field="name")
    try:
        cleaned = connector.clean_config(config)
    except ConfigError as exc:
        raise ActionError(str(exc), field="config") from exc
    store = Store(kind=kind, name=name)
    store.config = cleaned
    store.save()
    return store


@transaction.atomic
def update_store(store, name=None, config=None, active=None):
    store = Store.objects.select_for_update().get(pk=store.pk)
    if name is not None:
        if not name.strip():
            raise ActionError("A store needs a name.", field="name")
        store.name = name.strip()[:150]
    if config is not None:
        try:
            store.config = _connector_class(store.kind).clean_config(config, previous=store.config)
        except ConfigError as exc:
            raise ActionError(str(exc), field="config") from exc
    if active is not None:
        store.active = active
    store.save()
    return store
