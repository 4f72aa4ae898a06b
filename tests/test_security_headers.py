"""Every page carries a strict Content-Security-Policy; stored files are never served as a page of ours."""
import pytest

from channels_adapters.types import Attachment, InboundMessage, Sender
from channels_adapters.webchat.payloads import message_payload
from conversations.actions.ingest import ingest_message
from conversations.models import Channel

STRICT = ("default-src 'self'", "script-src 'self';", "style-src 'self';", "object-src 'none'", "base-uri 'none'",
          "frame-ancestors 'none'")
RISKY = {  # what a customer can attach to an email: it must never run in our origin
    "page.html": ("text/html", b"<script>alert(document.cookie)</script>"),
    "logo.svg": ("image/svg+xml", b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>"),
    "app.js": ("application/javascript", b"alert(1)"),
    "page.xhtml": ("application/xhtml+xml", b"<html xmlns='http://www.w3.org/1999/xhtml'><script>1</script></html>"),
}
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 32


@pytest.fixture
def ana(make_agent, team):
    return make_agent("ana", teams=[team])


@pytest.fixture
def conversation_with_files(make_api_channel, team):
    files = [Attachment(filename=name, content_type=kind, content=content) for name, (kind, content) in RISKY.items()]
    files.append(Attachment(filename="photo.png", content_type="image/png", content=PNG))
    inbound = InboundMessage("in-1", Sender("phone", "+5511999990001"), "Veja os anexos", attachments=tuple(files))
    return ingest_message(make_api_channel(team=team), inbound).message


def assert_strict(response):
    policy = response["Content-Security-Policy"]
    assert all(part in policy for part in STRICT), policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy


@pytest.mark.parametrize("path", ["/login/", "/admin/login/", "/api/v1/teams/", "/i18n/setlang/", "/csat/bad-token/",
                                  "/nowhere/"])
def test_public_pages_and_errors_carry_the_strict_policy(client, db, path):
    assert_strict(client.get(path))


def test_console_pages_carry_the_strict_policy(console_for, ana, conversation_with_files):
    client = console_for(ana)
    for path in ("/", f"/conversations/{conversation_with_files.conversation_id}/", "/settings/", "/search/?q=x",
                 "/password/", "/notifications/"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert_strict(response)
        assert response["X-Content-Type-Options"] == "nosniff" and response["X-Frame-Options"] == "DENY"


def test_the_demo_shop_page_allows_only_its_own_snippet(client, db, settings):
    from channels_adapters.setup import create_channel

    settings.WEBCHAT_DEMO_PAGE = True
    create_channel("webchat", "Chat", {"allowed_origins": ["http://127.0.0.1:8000"]})
    policy = client.get("/demo/shop/")["Content-Security-Policy"]
    script_src = next(part for part in policy.split(";") if part.strip().startswith("script-src"))
    assert "'sha256-" in script_src and "unsafe-inline" not in script_src and "frame-ancestors 'none'" in policy


@pytest.mark.parametrize("name", sorted(RISKY))
def test_a_risky_attachment_is_a_sandboxed_download_of_opaque_bytes_in_the_console(console_for, ana,
                                                                                   conversation_with_files, name):
    attachment = conversation_with_files.attachments.get(filename=name)
    for query in ("", "?inline=1"):
        response = console_for(ana).get(f"/attachments/{attachment.pk}/{query}")
        assert response.status_code == 200
        assert response["Content-Disposition"].startswith("attachment;")
        assert response["Content-Type"] == "application/octet-stream"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"


def test_only_raster_images_show_inline(console_for, ana, conversation_with_files):
    photo = conversation_with_files.attachments.get(filename="photo.png")
    response = console_for(ana).get(f"/attachments/{photo.pk}/?inline=1")
    assert response["Content-Type"] == "image/png" and response["Content-Disposition"].startswith("inline;")
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"


@pytest.mark.parametrize("name", sorted(RISKY))
def test_a_risky_attachment_behind_a_widget_file_link_is_a_sandboxed_download(client, conversation_with_files, name):
    channel = Channel.objects.get()
    links = {item["name"]: item["url"] for item in message_payload(conversation_with_files, channel)["attachments"]}
    response = client.get(links[name])
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Type"] == "application/octet-stream"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
