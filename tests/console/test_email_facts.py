"""What the console shows about an email: subject, sender not verified, automatic, the full original."""
from django.test import Client
from django.urls import reverse

from channels_adapters.pipeline import process_event
from channels_adapters.setup import create_channel
from channels_adapters.types import RawRequest
from conversations.actions.inbound_events import record_raw_event
from conversations.models import Conversation

from ..channels_adapters.email.conftest import fixture_bytes


def shown(admin_user, channel, name):
    event = record_raw_event(channel, RawRequest(body=fixture_bytes(name), headers={}, content_type="message/rfc822"))
    process_event(event.pk)
    client = Client()
    client.force_login(admin_user)
    conversation = Conversation.objects.get()
    return client.get(reverse("console:conversation", args=[conversation.pk])).content.decode()


def email_channel():
    return create_channel("email", "E-mail", {"address": "support@inbox.example.com"})


def test_a_spoofed_sender_is_flagged(admin_user):
    page = shown(admin_user, email_channel(), "20_auth_results_fail.eml")
    assert "Sender not verified" in page and "Urgent: verify your account" in page


def test_an_auto_reply_is_flagged(admin_user):
    page = shown(admin_user, email_channel(), "05_auto_reply.eml")
    assert "Automatic message: not answered, did not reopen" in page


def test_the_full_original_is_one_click_away(admin_user):
    page = shown(admin_user, email_channel(), "02_gmail_reply_quoted.eml")
    assert "<summary>Show full original</summary>" in page
    assert "Rastreio: BR000000000FAKE." in page


def test_a_hostile_subject_is_escaped(admin_user):
    page = shown(admin_user, email_channel(), "08_malicious_html.eml")
    assert "<script>alert(" not in page
    assert "Invoice overdue &lt;script&gt;alert(&#x27;subject&#x27;)&lt;/script&gt;" in page
    assert "1 remote image blocked" in page
