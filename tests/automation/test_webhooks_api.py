"""The webhook API and console pages: admins only, the secret shown once, deliveries with their attempts."""
import pytest
from django.test import Client

from automation.models import WebhookDelivery, WebhookSubscription
from tests.fake_http import ScriptedResponse


@pytest.fixture
def agent(make_agent, team):
    return make_agent("ana", teams=[team])


def test_an_admin_creates_a_subscription_and_sees_the_secret_once(admin_user, client_for, fake_http):
    api = client_for(admin_user)
    created = api.post("/api/v1/webhook-subscriptions/", {"name": "CRM", "url": fake_http.url + "/h",
                                                          "events": ["message.created"]}, format="json")
    assert created.status_code == 201 and len(created.json()["secret"]) >= 32
    listed = api.get("/api/v1/webhook-subscriptions/").json()["results"]
    assert listed[0]["name"] == "CRM" and "secret" not in listed[0]
    assert WebhookSubscription.objects.get().secret == created.json()["secret"]


def test_bad_input_is_a_clear_400_and_stores_nothing(admin_user, client_for, settings):
    settings.WEBHOOK_ALLOWED_HOSTS = []
    api = client_for(admin_user)
    for body in ({"name": "x", "url": "https://10.0.0.1/", "events": ["message.created"]},
                 {"name": "x", "url": "https://example.com/", "events": ["nope"]},
                 {"name": "x", "url": "https://example.com/", "events": []},
                 {"name": "", "url": "https://example.com/", "events": ["message.created"]}):
        answer = api.post("/api/v1/webhook-subscriptions/", body, format="json")
        assert answer.status_code == 400, body
    assert not WebhookSubscription.objects.exists()


def test_agents_may_not_see_or_manage_webhooks(agent, client_for):
    api = client_for(agent)
    assert api.get("/api/v1/webhook-subscriptions/").status_code == 403
    assert api.post("/api/v1/webhook-subscriptions/", {}, format="json").status_code == 403
    client = Client()
    client.force_login(agent)
    assert client.get("/settings/webhooks/").status_code == 403


def test_deliveries_list_their_attempts_and_can_be_replayed(admin_user, client_for, fake_http,
                                                            django_capture_on_commit_callbacks):
    api = client_for(admin_user)
    subscription_id = api.post("/api/v1/webhook-subscriptions/", {
        "name": "CRM", "url": fake_http.url, "events": ["message.created"]}, format="json").json()["id"]
    fake_http.respond(ScriptedResponse(404, "no"))
    from automation.actions import webhooks

    with django_capture_on_commit_callbacks(execute=True):
        webhooks.record_event("message.created", "evt-1", {"id": 1})
    [delivery] = api.get(f"/api/v1/webhook-subscriptions/{subscription_id}/deliveries/").json()["results"]
    assert delivery["status"] == "failed" and delivery["attempt_log"][0]["status_code"] == 404

    fake_http.respond(ScriptedResponse(200, {}))
    with django_capture_on_commit_callbacks(execute=True):
        replay = api.post(f"/api/v1/webhook-deliveries/{delivery['id']}/replay/")
    assert replay.status_code == 202
    assert WebhookDelivery.objects.get(pk=replay.json()["id"]).status == "succeeded"


def test_the_console_page_creates_lists_and_deletes_with_confirmation(admin_user, fake_http):
    client = Client()
    client.force_login(admin_user)
    assert "No webhooks yet" in client.get("/settings/webhooks/").content.decode()
    answer = client.post("/settings/webhooks/", {"name": "CRM", "url": fake_http.url + "/h",
                                                 "events": ["message.created", "conversation.created"]}, follow=True)
    page = answer.content.decode()
    assert "signing secret" in page and "Nothing delivered yet" in page
    subscription = WebhookSubscription.objects.get()
    assert subscription.events == ["message.created", "conversation.created"]

    client.post(f"/settings/webhooks/{subscription.pk}/delete/")
    assert WebhookSubscription.objects.exists()  # not without the confirmation box
    client.post(f"/settings/webhooks/{subscription.pk}/delete/", {"confirm": "yes"})
    assert not WebhookSubscription.objects.exists()


def test_the_console_form_shows_a_refused_target(admin_user, settings):
    settings.WEBHOOK_ALLOWED_HOSTS = []
    client = Client()
    client.force_login(admin_user)
    page = client.post("/settings/webhooks/", {"name": "CRM", "url": "https://127.0.0.1/x",
                                               "events": ["message.created"]}).content.decode()
    assert "private, loopback or link-local" in page and not WebhookSubscription.objects.exists()
