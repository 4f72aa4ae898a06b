import pytest
from channels.layers import channel_layers
from django.core.cache import cache

from channels_adapters.setup import create_channel
from channels_adapters.webchat import tokens

SHOP_ORIGIN = "https://shop.example"
HMAC_SECRET = "shop-identity-secret-0123456789"


@pytest.fixture(autouse=True)
def fresh_cache_and_layer():
    """Rate-limit counters and presence live in the cache; the in-memory layer is bound to one event loop."""
    cache.clear()
    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()


@pytest.fixture
def make_webchat_channel(db):
    def make(name="Site chat", team=None, **config):
        config = {"allowed_origins": [SHOP_ORIGIN], "hmac_secret": HMAC_SECRET, **config}
        return create_channel("webchat", name, config, team=team)

    return make


@pytest.fixture
def webchat(make_webchat_channel, team):
    return make_webchat_channel(team=team, welcome_text="Hi! How can we help?", prechat_fields=["name"])


def visitor_token(channel, **profile):
    return tokens.dump(tokens.new_visitor(channel.pk).with_profile(**profile))


def verified_token(channel, identifier):
    kind, address = tokens.verified_identity(identifier)
    return tokens.dump(tokens.new_visitor(channel.pk).with_profile(verified_kind=kind, verified_address=address))
