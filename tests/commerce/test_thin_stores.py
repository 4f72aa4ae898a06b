"""VTEX and Nuvemshop: a thin notification, then the order fetched from a fake store on 127.0.0.1."""
from decimal import Decimal

import pytest

from commerce.models import StoreDelivery
from conversations.models import Customer
from customers.models import CustomerEvent, Order

from ..fake_http import ScriptedResponse
from .conftest import NUVEMSHOP_SECRET, VTEX_HOOK_TOKEN, fixture, fixture_json, nuvemshop_headers

pytestmark = pytest.mark.django_db
VTEX_HEADERS = {"X-OmniDesk-Hook-Token": VTEX_HOOK_TOKEN}


def test_a_vtex_hook_fetches_the_order_with_the_store_credentials(vtex_store, fake_http, post_webhook):
    fake_http.routes["/api/oms/pvt/orders/1391940493578-01"] = ScriptedResponse(200, fixture_json("vtex_order.json"))
    answer = post_webhook(vtex_store, fixture("vtex_hook_order_status.json"), VTEX_HEADERS)
    assert answer.status_code == 200
    fetch = fake_http.requests[0]
    assert fetch.headers["X-VTEX-API-AppKey"] == "vtexappkey-lojadojoao"
    assert fetch.headers["X-VTEX-API-AppToken"] == "app-token-secret"
    order = Order.objects.get()
    # VTEX amounts are cents.
    assert (order.number, order.status, order.total, order.currency) == ("502317", "paid", Decimal("189.90"), "BRL")
    assert [(i.sku, i.price) for i in order.items.all()] == [("TENIS-CORRIDA-42", Decimal("169.90"))]
    assert Customer.objects.get().name == "João Lima"


def test_the_same_vtex_notification_twice_is_one_delivery(vtex_store, fake_http, post_webhook):
    fake_http.routes["/api/oms/pvt/orders/1391940493578-01"] = ScriptedResponse(200, fixture_json("vtex_order.json"))
    body = fixture("vtex_hook_order_status.json")
    post_webhook(vtex_store, body, VTEX_HEADERS)
    assert post_webhook(vtex_store, body, VTEX_HEADERS).json()["detail"] == "Already received."
    assert len(fake_http.requests) == 1 and StoreDelivery.objects.count() == 1


def test_a_vtex_ping_is_answered_and_a_wrong_token_stores_nothing(vtex_store, fake_http, post_webhook):
    assert post_webhook(vtex_store, b'{"hookConfig":"ping"}', VTEX_HEADERS).status_code == 200
    body = fixture("vtex_hook_order_status.json")
    assert post_webhook(vtex_store, body, {"X-OmniDesk-Hook-Token": "guess"}).status_code == 403
    assert post_webhook(vtex_store, body, {}).status_code == 403
    assert not StoreDelivery.objects.exists() and not fake_http.requests


def test_a_failing_fetch_is_retried_then_recorded_not_lost(vtex_store, fake_http, post_webhook, settings):
    settings.STORE_FETCH_MAX_ATTEMPTS = 3
    fake_http.respond(ScriptedResponse(503, {"error": "busy"}), ScriptedResponse(200, fixture_json("vtex_order.json")))
    post_webhook(vtex_store, fixture("vtex_hook_order_status.json"), VTEX_HEADERS)
    delivery = StoreDelivery.objects.get()
    assert (delivery.state, delivery.attempts) == ("processed", 2)
    assert Order.objects.count() == 1

    fake_http.respond(ScriptedResponse(503, {"error": "busy"}))
    other = fixture_json("vtex_hook_order_status.json") | {"LastChange": "2026-11-22T00:00:00Z"}
    import json

    post_webhook(vtex_store, json.dumps(other).encode(), VTEX_HEADERS)
    failed = StoreDelivery.objects.latest("id")
    assert (failed.state, failed.attempts) == ("failed", 3) and "503" in failed.last_error


def test_a_nuvemshop_webhook_fetches_the_order(nuvemshop_store, fake_http, post_webhook):
    fake_http.routes["/1234567/orders/987654321"] = ScriptedResponse(200, fixture_json("nuvemshop_order.json"))
    body = fixture("nuvemshop_order_paid.json")
    assert post_webhook(nuvemshop_store, body, nuvemshop_headers(body)).status_code == 200
    assert fake_http.requests[0].headers["Authentication"] == "bearer nuvem-access-token"
    order = Order.objects.get()
    assert (order.number, order.status, order.total, order.currency) == ("3120", "paid", Decimal("48500.00"), "ARS")
    assert Customer.objects.get().identities.get().address == "lucia.fernandez@example.com"
    assert CustomerEvent.objects.filter(name="Order Paid").count() == 1
    # The same notification again: nothing new, no second fetch.
    post_webhook(nuvemshop_store, body, nuvemshop_headers(body))
    assert len(fake_http.requests) == 1


@pytest.mark.parametrize("body, secret", [
    (None, "not-the-app-secret"),
    (b'{"store_id":7654321,"event":"order/paid","id":987654321}', NUVEMSHOP_SECRET),  # another store
])
def test_a_forged_nuvemshop_webhook_stores_nothing(nuvemshop_store, fake_http, post_webhook, body, secret):
    body = body or fixture("nuvemshop_order_paid.json")
    assert post_webhook(nuvemshop_store, body, nuvemshop_headers(body, secret)).status_code == 403
    assert not StoreDelivery.objects.exists() and not fake_http.requests


def test_an_order_without_a_buyer_address_fails_with_a_reason(nuvemshop_store, fake_http, post_webhook):
    order = fixture_json("nuvemshop_order.json") | {"contact_email": "", "contact_phone": "", "customer": {}}
    fake_http.routes["/1234567/orders/987654321"] = ScriptedResponse(200, order)
    body = fixture("nuvemshop_order_paid.json")
    post_webhook(nuvemshop_store, body, nuvemshop_headers(body))
    delivery = StoreDelivery.objects.get()
    assert delivery.state == "failed" and "buyer" in delivery.last_error
    assert not Customer.objects.exists()
