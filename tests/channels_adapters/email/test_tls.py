"""TLS to the channel's own mail servers: IMAP STARTTLS and implicit TLS against a real Dovecot, SMTP STARTTLS
against aiosmtpd, all with a certificate authority made in the test; certificates are always checked."""
import pytest

from channels_adapters.email import imap
from channels_adapters.email.models import ImapCursor
from conversations.models import Message

from .conftest import fixture_bytes, running_dovecot
from .servers import IMAP_PASSWORD, IMAP_USER, SmtpServer, certificate_authority

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def authority(tmp_path):
    return certificate_authority(tmp_path)


@pytest.fixture
def tls_dovecot(authority):
    with running_dovecot(tls=authority) as server:
        server.append(fixture_bytes("01_plain_first_message.eml"))
        yield server


def imap_channel(make_email_channel, port, security, ca_pem=""):
    return make_email_channel(imap_host="127.0.0.1", imap_port=port, imap_security=security, imap_user=IMAP_USER,
                              imap_password=IMAP_PASSWORD, **({"tls_ca_pem": ca_pem} if ca_pem else {}))


@pytest.mark.parametrize("security", ["starttls", "ssl"])
def test_imap_over_tls_with_the_servers_ca(make_email_channel, tls_dovecot, authority, security):
    port = tls_dovecot.port if security == "starttls" else tls_dovecot.tls_port
    channel = imap_channel(make_email_channel, port, security, authority.ca_pem)
    assert imap.poll_channel(channel).imported == 1
    assert Message.objects.get(direction=Message.Direction.INBOUND).external_id == "first-0001@mail.example.com"


@pytest.mark.parametrize("security", ["starttls", "ssl"])
def test_an_untrusted_imap_certificate_stops_the_poll_before_login(make_email_channel, tls_dovecot, security):
    port = tls_dovecot.port if security == "starttls" else tls_dovecot.tls_port
    channel = imap_channel(make_email_channel, port, security)  # only the system's CAs: ours is unknown there
    with pytest.raises(imap.ImapPollError):
        imap.poll_channel(channel)
    assert "CERTIFICATE_VERIFY_FAILED" in ImapCursor.objects.get(channel=channel).last_error
    assert not Message.objects.exists()
    assert tls_dovecot.uids("UNSEEN") == [1]  # untouched, taken on the first poll that trusts the server


def test_a_certificate_for_another_name_is_refused(make_email_channel, tmp_path):
    elsewhere = certificate_authority(tmp_path, server_name="mail.elsewhere.example")
    with running_dovecot(tls=elsewhere) as server:
        channel = imap_channel(make_email_channel, server.port, "starttls", elsewhere.ca_pem)
        with pytest.raises(imap.ImapPollError):
            imap.poll_channel(channel)
        assert "CERTIFICATE_VERIFY_FAILED" in ImapCursor.objects.get(channel=channel).last_error


def test_smtp_starttls_with_the_servers_ca(make_email_channel, authority, admin_user):
    from .test_outbound import reply_to_first_email

    with SmtpServer(tls_context=authority.server_context()) as server:
        channel = make_email_channel(smtp_host="127.0.0.1", smtp_port=server.port, smtp_security="starttls",
                                     tls_ca_pem=authority.ca_pem)
        reply = reply_to_first_email(channel, admin_user)
    assert reply.status == Message.Status.SENT
    assert [mail.rcpt_tos for mail in server.script.received] == [["maria.teste@example.com"]]
