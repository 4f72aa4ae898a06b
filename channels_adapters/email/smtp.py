"""Outbound email: compose a threaded reply and hand it to the channel's SMTP server."""
import re
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import format_datetime, formataddr

from django.conf import settings
from django.utils import timezone
from django.utils.html import linebreaks
from django.utils.translation import gettext_lazy as _

from conversations import failure_reasons
from conversations.failure_reasons import FailureReason

from ..types import SendResult
from .oauth import xoauth2_string as oauth_xoauth2_string
from .tls import client_context

DEFAULT_PORTS = {"none": 25, "starttls": 587, "ssl": 465}
REPLY_PREFIXES = ("re:", "res:", "aw:", "sv:", "r:", "rif:", "antw:")
MAX_SUBJECT_LENGTH = 120
NEW_THREAD_SUBJECT_LENGTH = 70


def reply_subject(subject):
    subject = " ".join((subject or "").split())
    if subject.lower().startswith(REPLY_PREFIXES):
        return subject[:MAX_SUBJECT_LENGTH]
    return f"Re: {subject}"[:MAX_SUBJECT_LENGTH]


def new_thread_subject(text):
    """A subject for a thread we start (the customer's last message came on another channel)."""
    first_line = next((line.strip() for line in text.splitlines() if line.strip()), "")
    if len(first_line) > NEW_THREAD_SUBJECT_LENGTH:
        first_line = first_line[:NEW_THREAD_SUBJECT_LENGTH].rsplit(" ", 1)[0] + "…"
    return first_line


def one_line(value):
    """A header value as one line: CR, LF and other control characters (a header injection) become spaces."""
    return re.sub(r"[\x00-\x1f\x7f]+", " ", str(value or "")).strip()


def compose(*, from_address, from_name, to, subject, text, html, message_id, in_reply_to="", references=(),
            attachments=(), automatic=False, cc=(), list_unsubscribe=""):
    from_name, subject, to = one_line(from_name), one_line(subject), one_line(to)
    in_reply_to, references = one_line(in_reply_to), [one_line(ref) for ref in references]
    cc, list_unsubscribe = [one_line(address) for address in cc], one_line(list_unsubscribe)
    message = EmailMessage()
    message["From"] = formataddr((from_name, from_address)) if from_name else from_address
    message["To"] = to
    if cc:
        message["Cc"] = ", ".join(cc)
    message["Subject"] = subject
    message["Date"] = format_datetime(timezone.now())
    message["Message-ID"] = f"<{message_id}>"
    if in_reply_to:
        message["In-Reply-To"] = f"<{in_reply_to}>"
    if references:
        message["References"] = " ".join(f"<{ref}>" for ref in references)
    if automatic:
        # RFC 3834: tells well-behaved responders not to answer, which stops loops at both ends.
        message["Auto-Submitted"] = "auto-replied" if in_reply_to else "auto-generated"
        message["X-Auto-Response-Suppress"] = "All"
    if list_unsubscribe:
        # RFC 2369 and RFC 8058: mail clients show their own unsubscribe button, one click, no login.
        message["List-Unsubscribe"] = f"<{list_unsubscribe}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(text)
    message.add_alternative(html or linebreaks(text, autoescape=True), subtype="html")
    for attachment in attachments:
        maintype, _, subtype = (attachment.content_type or "application/octet-stream").partition("/")
        message.add_attachment(attachment.content or b"", maintype=maintype, subtype=subtype or "octet-stream",
                               filename=attachment.filename or "attachment")
    return message


REFUSED_RECIPIENT = "email.smtp_refused_recipient"
LOGIN_FAILED = "email.smtp_login_failed"
OAUTH_LOGIN_FAILED = "email.smtp_oauth_login_failed"
OAUTH_REVOKED = "email.oauth_revoked"
OAUTH_REFRESH_FAILED = "email.oauth_refresh_failed"
REFUSED_SENDER = "email.smtp_refused_sender"
REFUSED_MESSAGE = "email.smtp_refused_message"
NO_SERVER = "email.no_smtp_server"
NOT_SUPPORTED = "email.smtp_not_supported"
TLS_FAILED = "email.smtp_tls_failed"
UNREACHABLE = "email.smtp_unreachable"
for code, text in [
    (REFUSED_RECIPIENT, _("The SMTP server refused the recipient: %(reply)s")),
    (LOGIN_FAILED, _("SMTP login failed (check smtp_user and smtp_password): %(reply)s")),
    (OAUTH_LOGIN_FAILED, _("SMTP login with the mailbox's OAuth2 token failed: %(reply)s")),
    (OAUTH_REVOKED, _("The mailbox's authorisation is no longer valid: %(error)s")),
    (OAUTH_REFRESH_FAILED, _("Could not refresh the mailbox's OAuth2 token: %(error)s")),
    (REFUSED_SENDER, _("The SMTP server refused the sender address: %(reply)s")),
    (REFUSED_MESSAGE, _("The SMTP server refused the message: %(reply)s")),
    (NO_SERVER, _("This email channel has no SMTP server (smtp_host) to send through.")),
    (NOT_SUPPORTED, _("The SMTP server does not support what smtp_security asks: %(error)s")),
    (TLS_FAILED, _("TLS with the SMTP server failed: %(error)s")),
    (UNREACHABLE, _("Could not reach the SMTP server: %(error)s")),
]:
    failure_reasons.register(code, text)


def _failure(code, detail, what):
    """An SMTP reply code as a SendResult: 4xx is temporary (retry), the rest final."""
    text = detail.decode(errors="replace") if isinstance(detail, bytes) else str(detail)
    temporary = 400 <= code < 500
    return SendResult(ok=False, reason=FailureReason(what, {"reply": f"{code} {text}".strip()}), retryable=temporary)


def _failed(code, **params):
    return SendResult(ok=False, reason=FailureReason(code, params))


def _connect(config):
    security = config.get("smtp_security") or "starttls"
    port = int(config.get("smtp_port") or DEFAULT_PORTS[security])
    timeout = settings.EMAIL_SMTP_TIMEOUT_SECONDS
    if security == "ssl":
        return smtplib.SMTP_SSL(config["smtp_host"], port, timeout=timeout, context=client_context(config))
    connection = smtplib.SMTP(config["smtp_host"], port, timeout=timeout)
    if security == "starttls":
        connection.starttls(context=client_context(config))
    return connection


def _authenticate(connection, config, oauth_token):
    if oauth_token:
        xoauth2 = oauth_xoauth2_string(config["smtp_user"], oauth_token)
        # On a refused token the server sends a 334 challenge (JSON details): an empty answer ends the exchange.
        connection.ehlo_or_helo_if_needed()
        connection.auth("XOAUTH2", lambda challenge=None: "" if challenge else xoauth2, initial_response_ok=True)
    elif config.get("smtp_user"):
        connection.login(config["smtp_user"], config.get("smtp_password", ""))


def send(config, message, oauth_token=None):
    """Deliver `message` (an EmailMessage) through the channel's SMTP server (XOAUTH2 with `oauth_token`)."""
    if not config.get("smtp_host"):
        return _failed(NO_SERVER)
    try:
        with _connect(config) as connection:
            _authenticate(connection, config, oauth_token)
            refused = connection.send_message(message)
    except smtplib.SMTPRecipientsRefused as exc:
        code, detail = next(iter(exc.recipients.values()))
        return _failure(code, detail, REFUSED_RECIPIENT)
    except smtplib.SMTPAuthenticationError as exc:
        return _failure(exc.smtp_code, exc.smtp_error, OAUTH_LOGIN_FAILED if oauth_token else LOGIN_FAILED)
    except smtplib.SMTPSenderRefused as exc:
        return _failure(exc.smtp_code, exc.smtp_error, REFUSED_SENDER)
    except smtplib.SMTPResponseException as exc:
        return _failure(exc.smtp_code, exc.smtp_error, REFUSED_MESSAGE)
    except smtplib.SMTPNotSupportedError as exc:
        return _failed(NOT_SUPPORTED, error=str(exc))
    except ssl.SSLError as exc:
        return _failed(TLS_FAILED, error=str(exc.reason or exc))
    except (smtplib.SMTPException, OSError) as exc:
        return SendResult(ok=False, reason=FailureReason(UNREACHABLE, {"error": f"{exc.__class__.__name__}: {exc}"}),
                          retryable=True)
    if refused:
        code, detail = next(iter(refused.values()))
        return _failure(code, detail, REFUSED_RECIPIENT)
    return SendResult(ok=True)
