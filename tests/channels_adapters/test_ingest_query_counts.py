"""What ingesting one message costs in queries, pinned: the webhook's insert, the worker's task and the
layers' follow-up task (all eager here), for a new conversation and for a reply into an existing one.

A new per-message query anywhere on the inbound path (the core or a layer listening to it) fails here.
"""
import json
from email.message import EmailMessage

from django.test import Client

from channels_adapters.base import signed_headers
from conversations.models import Message

from ..conftest import API_SECRET
from .email.conftest import INBOUND_SECRET, SUPPORT_ADDRESS, make_email_channel  # noqa: F401 (a fixture)

API_NEW, API_REPLY = 21, 15
EMAIL_NEW, EMAIL_REPLY = 21, 16


def _post(channel, body, secret, content_type):
    response = Client().post(f"/webhooks/{channel.pk}/", body, content_type=content_type,
                             headers=signed_headers(secret, body))
    assert response.status_code == 200, response.content


def _api(channel, external_id):
    body = json.dumps({"external_id": external_id, "from": {"kind": "phone", "address": "+5511999990001"},
                       "text": "Olá, meu pedido não chegou"}).encode()
    _post(channel, body, API_SECRET, "application/json")


def _email(channel, message_id, in_reply_to=""):
    mail = EmailMessage()
    mail["From"], mail["To"], mail["Subject"] = "Maria <maria@example.com>", SUPPORT_ADDRESS, "Pedido 42"
    mail["Message-ID"] = message_id
    if in_reply_to:
        mail["In-Reply-To"] = mail["References"] = in_reply_to
    mail.set_content("Olá, meu pedido não chegou.")
    _post(channel, mail.as_bytes(), INBOUND_SECRET, "message/rfc822")


def test_an_api_message_of_a_new_customer(make_api_channel, django_assert_num_queries):
    channel = make_api_channel()
    with django_assert_num_queries(API_NEW):
        _api(channel, "m1")
    assert Message.objects.filter(channel=channel).count() == 1


def test_an_api_message_into_an_existing_conversation(make_api_channel, django_assert_num_queries):
    channel = make_api_channel()
    _api(channel, "m1")
    with django_assert_num_queries(API_REPLY):
        _api(channel, "m2")
    assert Message.objects.filter(channel=channel).count() == 2


def test_an_email_of_a_new_customer(make_email_channel, django_assert_num_queries):  # noqa: F811
    channel = make_email_channel()
    with django_assert_num_queries(EMAIL_NEW):
        _email(channel, "<first@example.com>")
    assert Message.objects.filter(channel=channel).count() == 1


def test_an_email_reply_into_its_thread(make_email_channel, django_assert_num_queries):  # noqa: F811
    channel = make_email_channel()
    _email(channel, "<first@example.com>")
    with django_assert_num_queries(EMAIL_REPLY):
        _email(channel, "<second@example.com>", in_reply_to="<first@example.com>")
    assert Message.objects.filter(channel=channel).count() == 2
    assert Message.objects.filter(channel=channel).values("conversation_id").distinct().count() == 1
