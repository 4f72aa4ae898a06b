"""OAuth2 mailboxes end to end, never the internet: the console's connect flow (PKCE) against a local fake
authorisation server, IMAP over XOAUTH2 against a real Dovecot that checks each token with that server, SMTP
over XOAUTH2 against aiosmtpd; refresh before expiry, a revoked grant, reconnecting without losing mail."""
import time
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from django.test import Client

from channels_adapters.email import imap, oauth
from channels_adapters.email.models import ImapCursor
from channels_adapters.setup import create_channel
from conversations.actions import directory
from conversations.actions.replies import send_reply
from conversations.models import Channel, Message

from .conftest import SUPPORT_ADDRESS, fixture_bytes, running_dovecot
from .oauth_server import CLIENT_ID, CLIENT_SECRET, FakeOAuthServer
from .servers import SmtpServer

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def authorisation_server():
    with FakeOAuthServer(SUPPORT_ADDRESS) as server:
        yield server


@pytest.fixture
def oauth_dovecot(authorisation_server):
    with running_dovecot(introspection_url=f"{authorisation_server.url}/introspect", user=SUPPORT_ADDRESS) as server:
        yield server


@pytest.fixture
def oauth_smtp(authorisation_server):
    with SmtpServer(bearer_check=authorisation_server.token_is_valid) as server:
        yield server


@pytest.fixture
def google(settings, authorisation_server, oauth_dovecot, oauth_smtp):
    """Google as the settings describe it, its endpoints and mail servers all local."""
    settings.EMAIL_OAUTH_PROVIDERS = {"google": {
        "label": "Google", "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET,
        "authorize_url": f"{authorisation_server.url}/authorize", "token_url": f"{authorisation_server.url}/token",
        "scope": "https://mail.google.com/", "authorize_params": {"access_type": "offline", "prompt": "consent"},
        "imap_host": "127.0.0.1", "imap_port": oauth_dovecot.port, "imap_security": "none",
        "smtp_host": "127.0.0.1", "smtp_port": oauth_smtp.port, "smtp_security": "none",
    }}
    return settings.EMAIL_OAUTH_PROVIDERS["google"]


@pytest.fixture
def channel(db, team):
    return create_channel("email", "Gmail suporte", {"address": SUPPORT_ADDRESS}, team=team)


@pytest.fixture
def admin(admin_user):
    client = Client()
    client.force_login(admin_user)
    return client


def connect(admin, channel):
    """The admin presses "Connect with Google"; the provider's consent page sends the browser back."""
    started = admin.post(f"/settings/mailboxes/{channel.pk}/connect/google/")
    assert started.status_code == 302
    consent = httpx.get(started["Location"], follow_redirects=False)
    assert consent.status_code == 302, consent.text
    back = urlsplit(consent.headers["location"])
    return started["Location"], admin.get(f"{back.path}?{back.query}")


def test_connecting_a_gmail_mailbox_then_polling_and_replying_over_xoauth2(google, channel, admin, oauth_dovecot,
                                                                          oauth_smtp, authorisation_server, admin_user):
    authorize_url, finished = connect(admin, channel)
    query = parse_qs(urlsplit(authorize_url).query)
    assert query["code_challenge_method"] == ["S256"] and len(query["code_challenge"][0]) == 43
    assert query["client_id"] == [CLIENT_ID] and query["access_type"] == ["offline"]
    assert query["login_hint"] == [SUPPORT_ADDRESS] and query["state"][0]
    assert finished.status_code == 302 and finished["Location"] == "/settings/mailboxes/"
    (exchange,) = authorisation_server.state.token_requests
    assert exchange["grant_type"] == "authorization_code" and exchange["code_verifier"]

    channel.refresh_from_db()
    config = channel.config
    assert config[oauth.PROVIDER_KEY] == "google" and config["imap_user"] == SUPPORT_ADDRESS
    token = config[oauth.ACCESS_TOKEN_KEY]
    assert token.encode() not in channel.config_encrypted.encode()  # encrypted at rest
    page = admin.get("/settings/mailboxes/").content.decode()
    assert "Connected with Google" in page and token not in page

    oauth_dovecot.append(fixture_bytes("01_plain_first_message.eml"))
    assert imap.poll_channel(channel).imported == 1
    inbound = Message.objects.get(direction=Message.Direction.INBOUND)
    reply = send_reply(inbound.conversation, admin_user, "Olá Maria")
    reply.refresh_from_db()
    assert reply.status == Message.Status.SENT, reply.failure_reason
    assert oauth_smtp.script.logins == [(SUPPORT_ADDRESS.encode(), True)]
    assert oauth_smtp.script.received[0].rcpt_tos == ["maria.teste@example.com"]


def set_expiry(channel, expires_at):
    directory.update_channel(channel, config={**channel.config, oauth.EXPIRES_AT_KEY: int(expires_at)})
    return Channel.objects.get(pk=channel.pk)


def test_a_token_is_refreshed_before_it_expires_and_not_before(google, channel, admin, authorisation_server):
    connect(admin, channel)
    now = time.time()
    channel = set_expiry(Channel.objects.get(pk=channel.pk), now + 3600)
    first = channel.config[oauth.ACCESS_TOKEN_KEY]
    assert oauth.access_token(channel, now=now) == first
    assert len(authorisation_server.state.token_requests) == 1  # still the code exchange only

    channel = set_expiry(channel, now + 60)  # inside the margin: a poll or send now could outlive it
    fresh = oauth.access_token(channel, now=now)
    assert fresh != first
    refresh = authorisation_server.state.token_requests[-1]
    assert refresh["grant_type"] == "refresh_token" and refresh["client_secret"] == CLIENT_SECRET
    stored = Channel.objects.get(pk=channel.pk).config
    assert stored[oauth.ACCESS_TOKEN_KEY] == fresh and stored[oauth.EXPIRES_AT_KEY] == int(now) + 3600
    assert authorisation_server.token_is_valid(SUPPORT_ADDRESS, fresh)


def test_a_revoked_grant_shows_on_the_channel_and_loses_no_mail(google, channel, admin, authorisation_server,
                                                                oauth_dovecot, admin_user):
    connect(admin, channel)
    oauth_dovecot.append(fixture_bytes("01_plain_first_message.eml"))
    authorisation_server.revoke_all()
    set_expiry(Channel.objects.get(pk=channel.pk), time.time() - 10)

    with pytest.raises(imap.ImapPollError):
        imap.poll_channel(Channel.objects.get(pk=channel.pk))
    channel.refresh_from_db()
    assert "Token has been expired or revoked" in channel.config[oauth.ERROR_KEY]
    assert "Reconnect" in ImapCursor.objects.get(channel=channel).last_error
    assert not Message.objects.exists() and oauth_dovecot.uids("UNSEEN") == [1]  # waiting, untouched
    page = admin.get("/settings/mailboxes/").content.decode()
    assert "Reconnect needed" in page and "Reconnect Google" in page

    connect(admin, channel)  # the admin presses "Reconnect Google"
    channel.refresh_from_db()
    assert channel.config[oauth.ERROR_KEY] == ""
    assert imap.poll_channel(channel).imported == 1
    assert Message.objects.get(direction=Message.Direction.INBOUND).external_id == "first-0001@mail.example.com"


def test_sending_with_a_revoked_grant_fails_with_the_reason(google, channel, admin, authorisation_server,
                                                           oauth_dovecot, oauth_smtp, admin_user):
    connect(admin, channel)
    oauth_dovecot.append(fixture_bytes("01_plain_first_message.eml"))
    imap.poll_channel(Channel.objects.get(pk=channel.pk))
    authorisation_server.revoke_all()
    set_expiry(Channel.objects.get(pk=channel.pk), time.time() - 10)
    inbound = Message.objects.get(direction=Message.Direction.INBOUND)
    reply = send_reply(inbound.conversation, admin_user, "Olá")
    reply.refresh_from_db()
    assert reply.status == Message.Status.FAILED and "Reconnect the mailbox" in reply.failure_reason
    assert oauth_smtp.script.received == []


def test_a_callback_that_was_not_started_here_changes_nothing(google, channel, admin, authorisation_server):
    before = Channel.objects.get(pk=channel.pk).config
    forged = admin.get("/settings/mailboxes/oauth/callback/?code=stolen&state=guessed")
    assert forged.status_code == 400
    started = admin.post(f"/settings/mailboxes/{channel.pk}/connect/google/")
    state = parse_qs(urlsplit(started["Location"]).query)["state"][0]
    denied = admin.get(f"/settings/mailboxes/oauth/callback/?error=access_denied&state={state}", follow=True)
    assert "did not authorise" in denied.content.decode()
    assert admin.get(f"/settings/mailboxes/oauth/callback/?code=x&state={state}").status_code == 400  # used once
    assert Channel.objects.get(pk=channel.pk).config == before
    assert authorisation_server.state.token_requests == []


def test_a_code_without_its_pkce_verifier_is_refused(google, channel, admin, authorisation_server):
    started = admin.post(f"/settings/mailboxes/{channel.pk}/connect/google/")
    consent = httpx.get(started["Location"], follow_redirects=False)
    code = parse_qs(urlsplit(consent.headers["location"]).query)["code"][0]
    pending = {**admin.session["email_oauth_pending"][0], "verifier": "an-attacker-does-not-know-it"}
    with pytest.raises(oauth.GrantRevoked):
        oauth.finish(pending, code)
    assert oauth.PROVIDER_KEY not in Channel.objects.get(pk=channel.pk).config


def test_only_admins_connect_mailboxes(google, channel, make_agent):
    agent = Client()
    agent.force_login(make_agent("ana"))
    assert agent.get("/settings/mailboxes/").status_code == 403
    assert agent.post(f"/settings/mailboxes/{channel.pk}/connect/google/").status_code == 403


def test_the_api_never_shows_the_tokens(google, channel, admin, admin_user):
    from rest_framework.test import APIClient

    connect(admin, channel)
    client = APIClient()
    client.force_authenticate(admin_user)
    config = client.get(f"/api/v1/channels/{channel.pk}/").json()["config"]
    assert config[oauth.PROVIDER_KEY] == "google"
    assert oauth.ACCESS_TOKEN_KEY not in config and oauth.REFRESH_TOKEN_KEY not in config
