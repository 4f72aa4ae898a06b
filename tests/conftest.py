import json
import pytest
from rest_framework.test import APIClient

from channels_adapters.base import signed_headers
from channels_adapters.setup import create_channel
from conversations.actions.directory import create_agent
from conversations.models import AgentProfile, Team

from . import asgi_server
from .fake_http import FakeHTTPServer

API_SECRET = "test-secret-0123456789abcdef"


@pytest.fixture
def team(db):
    return Team.objects.create(name="Suporte")


@pytest.fixture
def other_team(db):
    return Team.objects.create(name="Vendas")


@pytest.fixture
def make_agent(db):
    def make(username, role=AgentProfile.Role.AGENT, teams=()):
        return create_agent(username=username, password="a-long-pass-phrase-1", name=username.title(), role=role,
                            teams=teams)

    return make


@pytest.fixture
def admin_user(make_agent):
    return make_agent("root", role=AgentProfile.Role.ADMIN)


@pytest.fixture
def client_for():
    """A DRF client authenticated with the user's API token."""
    from rest_framework.authtoken.models import Token

    def make(user):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
        return client

    return make


@pytest.fixture
def console_for():
    """A Django test client signed in (session) as the user: the console as that agent sees it."""
    from django.test import Client

    def make(user):
        client = Client()
        client.force_login(user)
        return client

    return make


@pytest.fixture
def make_api_channel(db):
    def make(name="Shop API", team=None, callback_url=""):
        config = {"secret": API_SECRET}
        if callback_url:
            config["callback_url"] = callback_url
        return create_channel("api", name, config, team=team)

    return make


def api_message(external_id, address, text="Hello", kind="phone", name=""):
    sender = {"kind": kind, "address": address}
    if name:
        sender["name"] = name
    return {"external_id": external_id, "from": sender, "text": text}


def signed(payload, secret=API_SECRET, timestamp=None):
    """Body and headers of a correctly signed api-channel webhook (sent now, or at `timestamp`)."""
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    return body, {"Content-Type": "application/json", **signed_headers(secret, body, timestamp)}


@pytest.fixture
def live_server_url(transactional_db):
    yield asgi_server.start()
    asgi_server.wait_idle()


@pytest.fixture
def fake_http():
    with FakeHTTPServer() as server:
        yield server

