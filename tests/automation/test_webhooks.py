"""Outgoing webhooks: signed deliveries to a real receiver on 127.0.0.1, retries, replay, auto-disable, SSRF."""
import hashlib
import hmac
import json
import socket
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.test import override_settings
from django.utils import timezone

from automation.actions import webhooks
from automation.models import WebhookAttempt, WebhookDelivery, WebhookSubscription
from automation.tasks import sweep_webhook_deliveries
from automation.targets import TargetRefused, check_target
from channels_adapters.types import InboundMessage, Sender
from conversations.actions.errors import ActionError
from conversations.actions.ingest import ingest_message
from tests.fake_http import ScriptedResponse


def inbound(external_id, text="Oi, meu pedido não chegou"):
    return InboundMessage(external_id=external_id, sender=Sender(kind="phone", address="+5511999990001",
                                                                 name="Maria"), text=text)


@pytest.fixture
def channel(make_api_channel, team):
    return make_api_channel("WhatsApp", team=team)


@pytest.fixture
def subscribe(admin_user, fake_http):
    def make(events=("message.created",), path="/hooks"):
        subscription, secret = webhooks.create_subscription(admin_user, "CRM", fake_http.url + path, list(events))
        return subscription, secret

    return make


def receive(channel, external_id, capture):
    with capture(execute=True):
        ingest_message(channel, inbound(external_id))


def verified(request, secret):
    timestamp = request.headers["X-OmniDesk-Timestamp"]
    expected = "sha256=" + hmac.new(secret.encode(), f"{timestamp}.".encode() + request.body,
                                    hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, request.headers["X-OmniDesk-Signature"])


def test_a_committed_message_reaches_the_receiver_signed(channel, subscribe, fake_http,
                                                        django_capture_on_commit_callbacks):
    subscription, secret = subscribe()
    receive(channel, "wa-1", django_capture_on_commit_callbacks)

    [request] = fake_http.requests
    assert request.path == "/hooks" and verified(request, secret)
    assert not verified(request, "another-secret")
    body = request.json()
    assert body["event"] == "message.created" and body["payload"]["text"] == "Oi, meu pedido não chegou"
    assert request.headers["X-OmniDesk-Event"] == "message.created"
    delivery = WebhookDelivery.objects.get()
    assert request.headers["X-OmniDesk-Delivery"] == str(delivery.pk) == body["id"]
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("succeeded", 1, 200)
    assert abs(int(request.headers["X-OmniDesk-Timestamp"]) - timezone.now().timestamp()) < 60


def test_only_subscribed_events_are_sent(channel, subscribe, fake_http, django_capture_on_commit_callbacks):
    subscribe(events=["conversation.created"])
    receive(channel, "wa-1", django_capture_on_commit_callbacks)
    receive(channel, "wa-2", django_capture_on_commit_callbacks)
    assert [r.json()["event"] for r in fake_http.requests] == ["conversation.created"]


def test_the_same_event_recorded_twice_is_delivered_once(subscribe, fake_http, django_capture_on_commit_callbacks):
    subscribe()
    with django_capture_on_commit_callbacks(execute=True):
        webhooks.record_event("message.created", "evt-1", {"id": 1})
        webhooks.record_event("message.created", "evt-1", {"id": 1})
    assert WebhookDelivery.objects.count() == 1 and len(fake_http.requests) == 1


def test_a_failed_answer_is_retried_with_backoff_then_delivered(subscribe, fake_http,
                                                                django_capture_on_commit_callbacks):
    subscribe()
    fake_http.respond(ScriptedResponse(503, {"error": "down"}, headers={"Retry-After": "120"}),
                      ScriptedResponse(200, {}))
    with django_capture_on_commit_callbacks(execute=True):
        webhooks.record_event("message.created", "evt-1", {"id": 1})
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("pending", 1, 503)
    # The receiver asked for 120 s: nothing is tried before.
    assert delivery.next_attempt_at - timezone.now() > timedelta(seconds=110)
    sweep_webhook_deliveries()
    assert len(fake_http.requests) == 1

    WebhookDelivery.objects.update(next_attempt_at=timezone.now())
    sweep_webhook_deliveries()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("succeeded", 2)
    assert list(WebhookAttempt.objects.values_list("status_code", flat=True)) == [503, 200]
    # Each try is signed afresh, so a receiver's timestamp window holds on retries.
    assert all(r.headers["X-OmniDesk-Signature"].startswith("sha256=") for r in fake_http.requests)


def test_a_client_error_is_final_and_counts_towards_auto_disable(subscribe, fake_http,
                                                                 django_capture_on_commit_callbacks):
    subscription, _ = subscribe()
    fake_http.respond(ScriptedResponse(410, "gone", content_type="text/plain"))
    with override_settings(WEBHOOK_DISABLE_AFTER_FAILURES=3):
        for number in range(3):
            with django_capture_on_commit_callbacks(execute=True):
                webhooks.record_event("message.created", f"evt-{number}", {"id": number})
    subscription.refresh_from_db()
    assert not subscription.active and subscription.disabled_at is not None
    assert subscription.consecutive_failures == 3 and "HTTP 410" in subscription.disabled_reason
    assert list(WebhookDelivery.objects.values_list("status", flat=True)) == ["failed"] * 3
    # Turned off: new events make no deliveries until an admin turns it on again.
    with django_capture_on_commit_callbacks(execute=True):
        webhooks.record_event("message.created", "evt-9", {"id": 9})
    assert WebhookDelivery.objects.count() == 3


def test_retries_stop_after_the_maximum(subscribe, fake_http, django_capture_on_commit_callbacks):
    subscribe()
    fake_http.respond(ScriptedResponse(500, {}))
    with override_settings(WEBHOOK_MAX_ATTEMPTS=3):
        with django_capture_on_commit_callbacks(execute=True):
            webhooks.record_event("message.created", "evt-1", {"id": 1})
        for _ in range(4):
            WebhookDelivery.objects.filter(status="pending").update(next_attempt_at=timezone.now())
            sweep_webhook_deliveries()
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, len(fake_http.requests)) == ("failed", 3, 3)


def test_a_replay_sends_the_same_payload_as_a_new_delivery(admin_user, subscribe, fake_http,
                                                           django_capture_on_commit_callbacks):
    subscribe()
    with django_capture_on_commit_callbacks(execute=True):
        webhooks.record_event("message.created", "evt-1", {"id": 1})
    original = WebhookDelivery.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        replay = webhooks.replay_delivery(admin_user, original)
    replay.refresh_from_db()
    assert replay.replay_of == original and replay.status == "succeeded"
    first, second = (r.json() for r in fake_http.requests)
    assert first["payload"] == second["payload"] and first["id"] != second["id"]


@pytest.mark.parametrize("url", [
    "http://10.0.0.5/hook", "https://10.0.0.5/hook", "https://192.168.1.10/", "https://169.254.169.254/latest",
    "https://[::1]/", "https://[::ffff:127.0.0.1]/", "https://localhost/", "https://0.0.0.0/",
    "https://user:pass@example.com/", "ftp://example.com/", "not a url",
])
def test_private_loopback_and_link_local_targets_are_refused(url, settings):
    settings.WEBHOOK_ALLOWED_HOSTS = []
    with pytest.raises(TargetRefused):
        check_target(url)


def test_a_public_name_that_resolves_to_a_private_address_is_refused(monkeypatch, settings):
    settings.WEBHOOK_ALLOWED_HOSTS = []
    monkeypatch.setattr(socket, "getaddrinfo", lambda *a, **k: [(socket.AF_INET, socket.SOCK_STREAM, 6, "",
                                                                  ("10.1.2.3", 443))])
    with pytest.raises(TargetRefused, match="10.1.2.3"):
        check_target("https://hooks.example.com/x")


def test_a_public_address_is_allowed_and_pinned(monkeypatch, settings):
    settings.WEBHOOK_ALLOWED_HOSTS = []
    monkeypatch.setattr(socket, "getaddrinfo", lambda *a, **k: [(socket.AF_INET, socket.SOCK_STREAM, 6, "",
                                                                  ("93.184.215.14", 8443))])
    target = check_target("https://hooks.example.com:8443/x?y=1")
    assert target.pinned_url == "https://93.184.215.14:8443/x?y=1"
    assert target.host_header == "hooks.example.com:8443"


def test_creating_a_subscription_to_a_private_address_is_refused(admin_user, settings):
    settings.WEBHOOK_ALLOWED_HOSTS = []
    with pytest.raises(ActionError, match="private"):
        webhooks.create_subscription(admin_user, "Internal", "https://127.0.0.1/hook", ["message.created"])
    assert not WebhookSubscription.objects.exists()


def test_a_redirect_to_a_private_address_is_not_followed(subscribe, fake_http, settings,
                                                         django_capture_on_commit_callbacks):
    subscribe()
    fake_http.respond(ScriptedResponse(307, "", headers={"Location": "https://169.254.169.254/latest/meta-data"}))
    with django_capture_on_commit_callbacks(execute=True):
        webhooks.record_event("message.created", "evt-1", {"id": 1})
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "failed" and "169.254.169.254" in delivery.last_error
    assert len(fake_http.requests) == 1  # only the receiver itself, never the metadata address


def test_a_redirect_to_an_allowed_address_is_followed_with_the_same_signed_body(subscribe, fake_http,
                                                                               django_capture_on_commit_callbacks):
    _, secret = subscribe()
    fake_http.routes["/hooks"] = ScriptedResponse(308, "", headers={"Location": "/moved"})
    fake_http.routes["/moved"] = ScriptedResponse(200, {})
    with django_capture_on_commit_callbacks(execute=True):
        webhooks.record_event("message.created", "evt-1", {"id": 1})
    assert [r.path for r in fake_http.requests] == ["/hooks", "/moved"]
    assert verified(fake_http.requests[1], secret) and WebhookDelivery.objects.get().status == "succeeded"


def test_an_unknown_event_or_empty_list_is_refused(admin_user, fake_http):
    for events in ([], ["presence.changed"]):
        with pytest.raises(ActionError):
            webhooks.create_subscription(admin_user, "CRM", fake_http.url, events)


def test_only_admins_manage_webhooks(make_agent, team, fake_http):
    agent = make_agent("ana", teams=[team])
    with pytest.raises(ActionError):
        webhooks.create_subscription(agent, "CRM", fake_http.url, ["message.created"])


def test_no_subscription_costs_no_query_per_event(db, django_assert_num_queries):
    cache.delete(webhooks.SUBSCRIBED_EVENTS_CACHE_KEY)
    assert webhooks.subscribed_events() == []
    with django_assert_num_queries(0):
        assert webhooks.record_event("message.created", "evt-1", {"id": 1}) == []


def test_the_payload_is_compact_json(subscribe, fake_http, django_capture_on_commit_callbacks):
    subscribe()
    with django_capture_on_commit_callbacks(execute=True):
        webhooks.record_event("message.created", "evt-1", {"text": "olá"})
    body = fake_http.requests[0].body
    assert json.loads(body)["payload"] == {"text": "olá"} and b", " not in body
