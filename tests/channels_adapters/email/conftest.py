import os
from contextlib import contextmanager
from pathlib import Path

import pytest

from channels_adapters.setup import create_channel

from ...services import require
from .servers import DOVECOT, IMAP_PASSWORD, IMAP_USER, Dovecot, SmtpServer

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
INBOUND_SECRET = "email-inbound-secret-0123456789"
SUPPORT_ADDRESS = "support@inbox.example.com"


def fixture_bytes(name):
    """A raw email or provider payload from tests/fixtures, byte for byte."""
    for folder in ("providers/emails", "email_corpus", "providers", "email_providers"):
        path = FIXTURES / folder / name
        if path.exists():
            return path.read_bytes()
    raise FileNotFoundError(name)


@pytest.fixture
def make_email_channel(db):
    def make(name="E-mail suporte", team=None, **config):
        return create_channel("email", name, {"address": SUPPORT_ADDRESS, "inbound_secret": INBOUND_SECRET,
                                              **config}, team=team)

    return make


@pytest.fixture
def smtp_server():
    with SmtpServer() as server:
        yield server


@contextmanager
def running_dovecot(**options):
    """A started private Dovecot (see servers.Dovecot for the options), removed afterwards."""
    require("Dovecot", os.access(DOVECOT, os.X_OK), "apt-get install dovecot-imapd")
    server = Dovecot(**options)
    try:
        server.start()
        yield server
    finally:
        server.close()


@pytest.fixture
def dovecot():
    with running_dovecot() as server:
        yield server


@pytest.fixture
def imap_config(dovecot):
    return {"imap_host": "127.0.0.1", "imap_port": dovecot.port, "imap_security": "none",
            "imap_user": IMAP_USER, "imap_password": IMAP_PASSWORD}
