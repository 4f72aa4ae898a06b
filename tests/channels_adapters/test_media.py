"""Fetching provider media: only from the provider's hosts, within size and type limits, credentials kept home."""
import pytest

from channels_adapters.base import MediaError
from channels_adapters.media import TrustedHosts, download
from channels_adapters.setup import create_channel
from channels_adapters.types import Attachment, InboundMessage, Sender
from conversations.actions.ingest import ingest_message
from tests.fake_http import FakeHTTPServer, ScriptedResponse

from .providers import twilio_config

AUTH = {"Authorization": "Bearer provider-token"}


def test_provider_hosts_are_trusted_over_https_only(settings):
    settings.MEDIA_FETCH_TRUST_PROVIDER_HOSTS = True
    trusted = TrustedHosts(("api.twilio.com", "*.twiliocdn.com"), "http://127.0.0.1:9999")
    assert trusted.allows("https://api.twilio.com/2010-04-01/Media/ME1")
    assert trusted.allows("https://media.twiliocdn.com/x") and trusted.allows("http://127.0.0.1:9999/x")
    for url in ("http://api.twilio.com/x", "https://api.twilio.com:8443/x", "https://twilio.com.evil.example/x",
                "https://evil.example/api.twilio.com", "http://127.0.0.1:9998/x", "http://169.254.169.254/"):
        assert not trusted.allows(url), url


def test_without_provider_hosts_only_the_api_base_url_is_trusted(settings):
    settings.MEDIA_FETCH_TRUST_PROVIDER_HOSTS = False
    trusted = TrustedHosts(("api.twilio.com",), "http://127.0.0.1:9999")
    assert not trusted.allows("https://api.twilio.com/x") and trusted.allows("http://127.0.0.1:9999/x")


def test_a_redirect_to_a_host_that_is_not_the_providers_is_refused(fake_http):
    fake_http.respond(ScriptedResponse(302, headers={"Location": "http://10.0.0.1/internal"}))
    with pytest.raises(MediaError, match="not one of the provider's hosts"):
        download(fake_http.url + "/media/1", TrustedHosts((), fake_http.url), headers=AUTH)
    assert len(fake_http.requests) == 1


def test_credentials_are_not_sent_to_the_host_a_redirect_leads_to(fake_http):
    with FakeHTTPServer() as cdn:
        cdn.respond(ScriptedResponse(200, b"ogg", content_type="audio/ogg"))
        fake_http.respond(ScriptedResponse(307, headers={"Location": cdn.url + "/file.ogg"}))
        fetched = download(fake_http.url + "/media/1", TrustedHosts((), fake_http.url, cdn.url), headers=AUTH)
        assert (fetched.content, fetched.content_type, fetched.filename) == (b"ogg", "audio/ogg", "file.ogg")
        assert fake_http.requests[0].headers["Authorization"] == "Bearer provider-token"
        assert "Authorization" not in cdn.requests[0].headers


@pytest.mark.parametrize("content_type", ["text/html", "image/svg+xml", "application/x-msdownload", ""])
def test_types_outside_the_allow_list_are_refused(fake_http, content_type):
    fake_http.respond(ScriptedResponse(200, b"<svg onload=alert(1)>", content_type=content_type))
    with pytest.raises(MediaError, match="are not stored"):
        download(fake_http.url + "/m", TrustedHosts((), fake_http.url))


def test_a_generic_type_falls_back_to_what_the_provider_declared(fake_http):
    fake_http.respond(ScriptedResponse(200, b"%PDF", content_type="application/octet-stream"))
    fetched = download(fake_http.url + "/m", TrustedHosts((), fake_http.url), declared_type="application/pdf")
    assert fetched.content_type == "application/pdf" and fetched.filename == "media.pdf"


def test_without_any_type_the_extension_tells(fake_http):
    fake_http.respond(ScriptedResponse(200, b"%PDF", content_type="application/octet-stream"))
    fetched = download(fake_http.url + "/documents/file_8.pdf", TrustedHosts((), fake_http.url))
    assert (fetched.content_type, fetched.filename) == ("application/pdf", "file_8.pdf")


def test_files_over_the_size_limit_are_refused(fake_http, settings):
    settings.MEDIA_FETCH_MAX_BYTES = 10
    fake_http.respond(ScriptedResponse(200, b"x" * 11, content_type="image/png"))
    with pytest.raises(MediaError, match="larger than 10 bytes"):
        download(fake_http.url + "/m", TrustedHosts((), fake_http.url))


@pytest.mark.parametrize("status, retryable", [(503, True), (429, True), (404, False), (403, False)])
def test_provider_errors_say_whether_to_try_again(fake_http, status, retryable):
    fake_http.respond(ScriptedResponse(status, {}, headers={"Retry-After": "7"} if status == 429 else {}))
    with pytest.raises(MediaError) as error:
        download(fake_http.url + "/m", TrustedHosts((), fake_http.url))
    assert error.value.retryable is retryable
    if status == 429:
        assert error.value.retry_after == 7


def test_the_filename_comes_from_content_disposition(fake_http):
    fake_http.respond(ScriptedResponse(200, b"a,b", content_type="text/csv",
                                       headers={"Content-Disposition": 'attachment; filename="pedidos março.csv"'}))
    assert download(fake_http.url + "/m", TrustedHosts((), fake_http.url)).filename == "pedidos_março.csv"


@pytest.fixture
def media_message(transactional_db, team, fake_http):
    """Ingest a message whose attachment is only a link on the (fake) provider: the fetch task runs on commit."""
    channel = create_channel("twilio_sms", "SMS", twilio_config(fake_http.url), team=team)

    def ingest():
        media = Attachment(url=fake_http.url + "/media/ME1", content_type="image/jpeg")
        return ingest_message(channel, InboundMessage("MM1", Sender("phone", "+5511999990001"), attachments=(media,))).message

    return ingest


def test_the_fetch_task_retries_temporary_failures(media_message, fake_http):
    fake_http.respond(ScriptedResponse(503), ScriptedResponse(503), ScriptedResponse(200, b"jpg", content_type="image/jpeg"))
    attachment = media_message().attachments.get()
    assert attachment.file.read() == b"jpg" and attachment.size == 3 and len(fake_http.requests) == 3


def test_the_fetch_task_gives_up_and_keeps_the_attachment_with_the_reason(media_message, fake_http, settings):
    settings.MEDIA_FETCH_MAX_ATTEMPTS = 3
    fake_http.respond(ScriptedResponse(503))
    attachment = media_message().attachments.get()
    assert not attachment.file and len(fake_http.requests) == 3
    assert attachment.fetch_error == "The provider answered HTTP 503. Gave up after 3 attempts."
