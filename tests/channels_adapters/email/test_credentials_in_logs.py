"""Mail server credentials never reach a log line, a failure reason or an error shown to admins."""
import logging

import pytest

from channels_adapters.email import imap
from channels_adapters.email.models import ImapCursor
from channels_adapters.email.tasks import poll_imap_channels
from conversations.models import Message

from .servers import SMTP_USER, SmtpServer
from .test_outbound import reply_to_first_email

pytestmark = pytest.mark.django_db(transaction=True)
SMTP_SECRET = "smtp-Secret-Pa55word-that-must-not-leak"
IMAP_SECRET = "imap-Secret-Pa55word-that-must-not-leak"


def everything_logged(caplog):
    return "\n".join(f"{record.getMessage()} {record.exc_text or ''} {record.args!r}" for record in caplog.records)


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_a_refused_smtp_login_leaks_no_password(make_email_channel, admin_user, caplog):
    caplog.set_level(logging.DEBUG)
    with SmtpServer(require_auth=True) as server:
        channel = make_email_channel(smtp_host="127.0.0.1", smtp_port=server.port, smtp_security="none",
                                     smtp_user=SMTP_USER, smtp_password=SMTP_SECRET)
        reply = reply_to_first_email(channel, admin_user)
    assert reply.status == Message.Status.FAILED
    assert SMTP_SECRET not in everything_logged(caplog)
    assert SMTP_SECRET not in reply.failure_reason
    assert caplog.records  # the failure was logged, only without the secret


def test_a_refused_imap_login_leaks_no_password(make_email_channel, imap_config, caplog):
    caplog.set_level(logging.DEBUG)
    channel = make_email_channel(**{**imap_config, "imap_password": IMAP_SECRET})
    with pytest.raises(imap.ImapPollError) as failure:
        imap.poll_channel(channel)
    poll_imap_channels()  # the periodic task logs the failure
    assert IMAP_SECRET not in everything_logged(caplog) and IMAP_SECRET not in str(failure.value)
    assert IMAP_SECRET not in ImapCursor.objects.get(channel=channel).last_error
    assert ImapCursor.objects.get(channel=channel).last_error
