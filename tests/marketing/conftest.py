import itertools

import pytest
from django.utils import timezone

from channels_adapters.setup import create_channel
from channels_adapters.types import InboundMessage, Sender
from conversations.actions.ingest import find_or_create_identity, ingest_message
from marketing.actions import consent
from marketing.models import Consent

TWILIO = {"account_sid": "AC" + "0" * 32, "auth_token": "token", "from_number": "+15005550006",
          "api_base_url": "http://127.0.0.1:9"}
TEMPLATES = [{"name": "promo", "language": "pt_BR", "variables": ["1"], "body": "Oi {{1}}, 20% hoje!",
              "content_sid": "HX" + "a" * 32}]
WHATSAPP_TEMPLATE = {"name": "promo", "language": "pt_BR", "variables": {"1": "cliente"}}

_ids = itertools.count(1)


@pytest.fixture
def sms(db, team):
    return create_channel("twilio_sms", "SMS Loja", TWILIO, team=team)


@pytest.fixture
def whatsapp(db, team):
    return create_channel("twilio_whatsapp", "WhatsApp Loja", {**TWILIO, "templates": TEMPLATES}, team=team)


@pytest.fixture
def mail(db, team):
    return create_channel("email", "E-mail", {"address": "support@inbox.example.com"}, team=team)


@pytest.fixture
def admin_api(admin_user, client_for):
    return client_for(admin_user)


def write(channel, address, text="Oi", kind="phone", at=None, capture=None):
    """An inbound message as a channel delivers it; with `capture` its after-commit work runs."""
    inbound = InboundMessage(external_id=f"in-{next(_ids)}", sender=Sender(kind=kind, address=address), text=text,
                             sent_at=at)
    if capture is None:
        return ingest_message(channel, inbound).message
    with capture(execute=True):
        return ingest_message(channel, inbound).message


def customer_with_phone(address, granted=("sms", "whatsapp"), name=""):
    identity, _created = find_or_create_identity("phone", address, name=name, verified=True, now=timezone.now())
    for family in granted:
        consent.record(identity, family, Consent.Purpose.MARKETING, Consent.State.GRANTED, Consent.Source.FORM,
                       {"form": "checkout", "wording": "Quero receber ofertas"})
    return identity.customer
