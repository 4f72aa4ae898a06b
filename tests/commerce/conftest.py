import base64
import hashlib
import hmac
import json
from pathlib import Path

import pytest

from commerce.actions.stores import create_store

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "stores"
SHOPIFY_SECRET = "shpss_test_0123456789abcdef"
VTEX_HOOK_TOKEN = "vtex-hook-token-0123456789"
NUVEMSHOP_SECRET = "nuvemshop-app-secret-0123456789"


def fixture(name):
    return (FIXTURES / name).read_bytes()


def fixture_json(name):
    return json.loads(fixture(name))


def shopify_headers(body, secret=SHOPIFY_SECRET, webhook_id="b54557e4-bdd9-4b37-8a5f-bf7d70bcd043",
                    topic="orders/create"):
    signature = base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()
    return {"X-Shopify-Hmac-Sha256": signature, "X-Shopify-Webhook-Id": webhook_id, "X-Shopify-Topic": topic,
            "X-Shopify-Shop-Domain": "loja-da-maria.myshopify.com", "X-Shopify-API-Version": "2025-10"}


def nuvemshop_headers(body, secret=NUVEMSHOP_SECRET):
    return {"X-Linkedstore-HMAC-SHA256": hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()}


@pytest.fixture
def shopify_store(db):
    return create_store("shopify", "Loja da Maria",
                        {"shop_domain": "loja-da-maria.myshopify.com", "webhook_secret": SHOPIFY_SECRET})


@pytest.fixture
def vtex_store(db, fake_http):
    return create_store("vtex", "Loja do João", {"api_base_url": fake_http.url, "app_key": "vtexappkey-lojadojoao",
                                                 "app_token": "app-token-secret", "hook_token": VTEX_HOOK_TOKEN})


@pytest.fixture
def nuvemshop_store(db, fake_http):
    return create_store("nuvemshop", "Tienda de Lucía", {"api_base_url": fake_http.url, "store_id": "1234567",
                                                         "access_token": "nuvem-access-token",
                                                         "app_secret": NUVEMSHOP_SECRET})


@pytest.fixture
def post_webhook(client, django_capture_on_commit_callbacks):
    """POST a body to a store's webhook the way the store does, its after-commit work done."""
    def post(store, body, headers):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(f"/stores/{store.pk}/webhook/", data=body, content_type="application/json",
                               headers=headers)

    return post
