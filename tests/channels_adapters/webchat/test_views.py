"""The widget's HTTP endpoints (session, upload, files) and the CSAT page."""
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from channels_adapters.types import InboundMessage, Sender
from channels_adapters.webchat import tokens
from conversations.actions.assignment import update_conversation
from conversations.actions.csat import send_csat_link
from conversations.actions.customers import add_identity
from conversations.actions.ingest import ingest_message
from conversations.csat_links import csat_url
from conversations.models import Conversation, CsatRating, Identity, Message, MergeSuggestion
from conversations.presence import mark_agent_online

from .conftest import HMAC_SECRET, SHOP_ORIGIN, visitor_token

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64


def session(client, channel, origin=SHOP_ORIGIN, **body):
    return client.post(f"/webchat/{channel.pk}/session/", body, content_type="application/json",
                       HTTP_ORIGIN=origin)


def visitor_of(response, channel):
    return tokens.load(response.json()["token"], channel.pk)


def test_a_session_gives_a_token_the_config_and_cors_for_the_shop(client, webchat):
    response = session(client, webchat, language="pt-BR")
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == SHOP_ORIGIN and "Origin" in response["Vary"]
    data = response.json()
    assert data["config"]["welcome_text"] == "Hi! How can we help?"
    assert data["config"]["prechat_fields"] == ["name"] and data["config"]["identity_verification"] is True
    assert HMAC_SECRET not in response.content.decode()
    assert data["visitor"] == {"verified": False, "name": "", "email": "", "phone": ""}
    # The next page load resumes the same visitor.
    again = session(client, webchat, token=data["token"])
    assert visitor_of(again, webchat).visitor_id == visitor_of(response, webchat).visitor_id


@pytest.mark.parametrize("origin", ["https://evil.example", ""])
def test_a_disallowed_origin_gets_403_without_cors(client, webchat, origin):
    response = session(client, webchat, origin=origin)
    assert response.status_code == 403 and "Access-Control-Allow-Origin" not in response


def test_the_preflight_is_answered_for_allowed_origins_only(client, webchat):
    ok = client.options(f"/webchat/{webchat.pk}/session/", HTTP_ORIGIN=SHOP_ORIGIN,
                        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST")
    assert ok.status_code == 204 and ok["Access-Control-Allow-Origin"] == SHOP_ORIGIN
    refused = client.options(f"/webchat/{webchat.pk}/session/", HTTP_ORIGIN="https://evil.example")
    assert refused.status_code == 403


def test_set_user_with_a_valid_hash_is_verified_and_a_forged_one_is_not(client, webchat):
    good = session(client, webchat, user={"identifier": "maria@example.com", "name": "Maria",
                                           "identifier_hash": tokens.identifier_hash(HMAC_SECRET, "maria@example.com")})
    visitor = visitor_of(good, webchat)
    assert visitor.verified and visitor.identity == ("email", "maria@example.com")
    assert good.json()["visitor"]["verified"] is True

    forged = session(client, webchat, user={"identifier": "maria@example.com", "identifier_hash": "0" * 64,
                                            "email": "maria@example.com"})
    visitor = visitor_of(forged, webchat)
    assert not visitor.verified and visitor.identity[0] == "webchat"
    assert visitor.email == "maria@example.com"  # kept as an unproven claim only


def test_a_page_that_does_not_call_set_user_is_anonymous_again(client, webchat):
    verified = session(client, webchat, user={"identifier": "user-42",
                                              "identifier_hash": tokens.identifier_hash(HMAC_SECRET, "user-42")})
    assert visitor_of(verified, webchat).identity == ("external", "user-42")
    next_page = visitor_of(session(client, webchat, token=verified.json()["token"]), webchat)
    assert not next_page.verified and next_page.visitor_id == visitor_of(verified, webchat).visitor_id


@pytest.mark.parametrize("body, error", [
    ({"profile": {"email": "not an email"}}, "email"),
    ({"profile": {"name": "x" * 201}}, "name"),
    ({"user": {"identifier": ""}}, "identifier"),
    ({"user": "maria"}, "user"),
])
def test_bad_session_input_is_400(client, webchat, body, error):
    response = session(client, webchat, **body)
    assert response.status_code == 400 and error in response.json()["error"].lower()


def test_sessions_are_rate_limited_per_ip(client, webchat, settings):
    settings.WEBCHAT_RATE_LIMITS = {**settings.WEBCHAT_RATE_LIMITS, "session_ip": (2, 60)}
    assert [session(client, webchat).status_code for _ in range(3)] == [200, 200, 429]


def test_availability_follows_agents_online_and_business_hours(client, make_webchat_channel, team, admin_user):
    channel = make_webchat_channel(team=team)
    assert session(client, channel).json()["available"] is False
    mark_agent_online(admin_user.pk, [team.pk])
    assert session(client, channel).json()["available"] is True
    closed_all_week = make_webchat_channel(team=team, business_hours={"timezone": "UTC", "days": {}})
    assert session(client, closed_all_week).json()["available"] is False


def upload(client, channel, token, name, content, content_type, client_id="upload-0001", origin=SHOP_ORIGIN):
    return client.post(f"/webchat/{channel.pk}/upload/", {
        "token": token, "client_id": client_id, "file": SimpleUploadedFile(name, content, content_type=content_type),
    }, HTTP_ORIGIN=origin)


def test_an_upload_is_a_message_with_its_file_and_a_signed_link(client, webchat):
    response = upload(client, webchat, visitor_token(webchat), "receipt.png", PNG, "image/png")
    assert response.status_code == 201, response.json()
    attachment = response.json()["message"]["attachments"][0]
    assert (attachment["name"], attachment["type"], attachment["size"]) == ("receipt.png", "image/png", len(PNG))
    message = Message.objects.get()
    assert message.attachments.get().file.read() == PNG
    download = client.get(attachment["url"])
    assert download.status_code == 200 and b"".join(download.streaming_content) == PNG
    assert download["X-Content-Type-Options"] == "nosniff"
    assert client.get(attachment["url"].replace("files/", "files/x")).status_code == 404
    # Sent again (the widget retrying): stored once.
    assert upload(client, webchat, visitor_token(webchat), "receipt.png", PNG, "image/png").status_code == 201
    assert Message.objects.count() == 2  # another visitor's token: another visitor


@pytest.mark.parametrize("name, content, content_type, error, code", [
    ("page.html", b"<script>alert(1)</script>", "text/html", "type", "file_type"),
    ("fake.png", b"<svg onload=alert(1)>", "image/png", "type", "file_type"),
    ("big.pdf", b"%PDF-" + b"0" * 2048, "application/pdf", "MB", "file_too_large"),
])
def test_an_upload_out_of_limits_is_refused(client, webchat, settings, name, content, content_type, error, code):
    settings.WEBCHAT_MAX_UPLOAD_BYTES = 1024 * 1024 if error != "MB" else 1024
    response = upload(client, webchat, visitor_token(webchat), name, content, content_type)
    assert response.status_code == 400 and error in response.json()["error"] and response.json()["code"] == code
    assert not Message.objects.exists()


def test_an_upload_needs_a_valid_token_and_origin(client, webchat):
    assert upload(client, webchat, "forged", "a.png", PNG, "image/png").status_code == 401
    assert upload(client, webchat, visitor_token(webchat), "a.png", PNG, "image/png",
                  origin="https://evil.example").status_code == 403
    assert not Message.objects.exists()


def _resolved_conversation(channel, agent):
    message = ingest_message(channel, InboundMessage(external_id="m-1", sender=Sender("phone", "+5511999990001"),
                                                     text="Hi")).message
    conversation = update_conversation(message.conversation, agent, status=Conversation.Status.RESOLVED)
    return conversation


def test_a_csat_link_sent_on_any_channel_rates_the_cycle(client, make_api_channel, admin_user, fake_http,
                                                         django_capture_on_commit_callbacks):
    channel = make_api_channel(callback_url=fake_http.url + "/hook")
    conversation = _resolved_conversation(channel, admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        link = send_csat_link(conversation, admin_user).text.rsplit(" ", 1)[1]
    assert fake_http.requests[-1].json()["text"].endswith(link)
    path = link.split("127.0.0.1:8000", 1)[1]
    assert client.get(path).status_code == 200
    assert client.post(path, {"rating": "7"}).status_code == 400
    response = client.post(path, {"rating": "4", "comment": "Good, a bit slow"})
    assert response.status_code == 200 and b"Thank you" in response.content
    rating = CsatRating.objects.get()
    assert (rating.rating, rating.comment, rating.cycle.conversation_id) == (4, "Good, a bit slow", conversation.pk)
    client.post(path, {"rating": "5"})  # a change of mind replaces the rating, keeps the comment
    rating.refresh_from_db()
    assert (rating.rating, rating.comment) == (5, "Good, a bit slow")
    assert client.get("/csat/forged-token/").status_code == 404


def test_csat_link_through_the_api(client_for, admin_user, make_api_channel, fake_http):
    channel = make_api_channel(callback_url=fake_http.url + "/hook")
    conversation = _resolved_conversation(channel, admin_user)
    response = client_for(admin_user).post(f"/api/v1/conversations/{conversation.pk}/csat-link/", {}, format="json")
    assert response.status_code == 201 and csat_url(conversation.cycles.get()) in response.json()["text"]


def test_a_csat_link_before_resolving_is_refused(client_for, admin_user, make_api_channel):
    message = ingest_message(make_api_channel(), InboundMessage(external_id="m-1", sender=Sender("phone", "+5511999990001"))).message
    response = client_for(admin_user).post(f"/api/v1/conversations/{message.conversation_id}/csat-link/", {},
                                           format="json")
    assert response.status_code == 400 and "Resolve" in str(response.json())


def test_a_typed_email_of_another_customer_becomes_a_merge_suggestion(client, webchat, make_api_channel):
    owner = ingest_message(make_api_channel(), InboundMessage(external_id="m-1", sender=Sender("phone", "+5511999990001"),
                                                              text="Secret order 4512")).message.conversation.customer
    add_identity(owner, "email", "maria@example.com", verified=True)
    token = session(client, webchat, profile={"name": "Maria?", "email": "Maria@Example.com"}).json()["token"]
    visitor = tokens.load(token, webchat.pk)
    from channels_adapters.webchat.visitors import accept_message, webchat_channel

    accept_message(webchat_channel(webchat.pk), visitor, {"client_id": "client-0001", "text": "Hi, it's Maria"})
    stranger = Identity.objects.get(kind="webchat").customer
    assert stranger.pk != owner.pk
    suggestion = MergeSuggestion.objects.get()
    assert (suggestion.customer, suggestion.candidate, suggestion.address) == (stranger, owner, "maria@example.com")
    assert Identity.objects.get(kind="email").customer == owner  # never moved
    assert not Message.objects.filter(conversation__customer=stranger, text="Secret order 4512").exists()


def test_a_free_typed_email_is_an_unverified_identity_that_opens_no_history(client, webchat):
    from channels_adapters.webchat.visitors import accept_message, catch_up, webchat_channel

    token = session(client, webchat, profile={"email": "new@example.com"}).json()["token"]
    widget = webchat_channel(webchat.pk)
    accept_message(widget, tokens.load(token, webchat.pk), {"client_id": "client-0001", "text": "Hi"})
    identity = Identity.objects.get(kind="email")
    assert (identity.address, identity.verified) == ("new@example.com", False)
    # Someone verified as that address later does not see what the typist wrote.
    verified = tokens.new_visitor(webchat.pk).with_profile(verified_kind="email", verified_address="new@example.com")
    assert catch_up(widget, verified, None)["messages"] == []


def test_touchpoints_older_than_the_visit_or_in_the_future_are_dropped(client, webchat):
    from channels_adapters.webchat.visitors import clean_page_views

    now = timezone.now()
    views = clean_page_views([
        {"url": "https://shop.example/a", "title": "A", "at": (now - timezone.timedelta(days=3)).isoformat()},
        {"url": "https://shop.example/b", "title": "B", "at": (now + timezone.timedelta(hours=1)).isoformat()},
        {"url": "https://shop.example/c", "title": "C", "at": now.isoformat()},
    ], now)
    assert [view.url for view in views] == ["https://shop.example/c"]


def test_the_webhook_route_refuses_webchat_posts(client, webchat):
    response = client.post(f"/webhooks/{webchat.pk}/", b'{"text": "hi"}', content_type="application/json")
    assert response.status_code == 403 and "websocket" in response.json()["error"]
    assert not Message.objects.exists()
