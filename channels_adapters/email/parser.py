"""One parser for every way an email arrives (IMAP, pipe, raw POST, providers): RFC 5322 bytes in, typed values out."""
import base64
import binascii
import hashlib
import mimetypes
import re
from dataclasses import dataclass, field
from datetime import timezone
from email import policy
from email.parser import BytesParser
from email.utils import getaddresses, parsedate_to_datetime

from django.utils.translation import gettext_lazy as _

from conversations import failure_reasons
from conversations.failure_reasons import FailureReason

from ..base import PayloadError
from ..types import Attachment, InboundMessage, InboundStatus, Sender
from .html import cut_quotes, html_to_text, sanitise_email_html
from .quotes import is_forward, strip_reply

BOUNCED = "email.bounced"
failure_reasons.register(BOUNCED, _("Bounced: %(details)s"))

MAX_EXTERNAL_ID_LENGTH = 255
MAX_FILENAME_LENGTH = 200
# Keep threading headers bounded: a References header can grow without end.
MAX_REFERENCES = 20
# Charsets whose labels are routinely wrong in the wild: decode as their
# superset (as browsers do), so Windows "smart quotes" survive.
SUPERSET_CHARSETS = {"us-ascii": "windows-1252", "ascii": "windows-1252", "iso-8859-1": "windows-1252",
                     "latin1": "windows-1252", "latin-1": "windows-1252", "iso-8859-15": "windows-1252"}
# RFC 3834 and the de-facto headers of autoresponders and lists (checked in this order).
PRECEDENCE_AUTOMATIC = {"bulk", "junk", "list", "auto_reply"}
MESSAGE_ID = re.compile(r"<([^<>\s]+)>")
ENCODED_WORD = re.compile(r"=\?([^?\s]+)\?([qQbB])\?([^?\s]*)\?=")
FOLD = re.compile(r"\r?\n(?=[ \t])")
HEADER_END = re.compile(rb"\r?\n\r?\n")
# When an email has no blank line early on, this much stands for its headers.
MAX_HEADER_BYTES = 256 * 1024
# The stdlib's legacy policy: its headers are plain strings, several times faster to parse than the
# header objects of policy.default; the parser decodes what it reads itself (decode_words, _addresses).
PARSE_POLICY = policy.compat32
AUTH_RESULT = re.compile(r"\b(spf|dkim|dmarc)\s*=\s*([a-z]+)", re.IGNORECASE)


@dataclass(frozen=True)
class EmailLimits:
    max_message_bytes: int
    max_attachment_bytes: int
    max_attachments: int


@dataclass(frozen=True)
class ParseContext:
    """What the parser must know about the receiving channel."""

    limits: EmailLimits
    # Domains of our own Message-IDs: bounces are matched only against them.
    own_domains: frozenset = frozenset()
    # Trust only Authentication-Results from this authserv-id (our MX); "" = the topmost header.
    authserv_id: str = ""
    # Size of the message as received when only its headers were kept.
    original_size: int | None = None
    # Facts a provider adds (spam score, envelope...), merged into the metadata.
    provider_metadata: dict = field(default_factory=dict)
    # Attachments a provider keeps on its side (links, not bytes).
    provider_attachments: tuple = ()


def header_block(raw):
    """The header section of a (possibly cut) raw email."""
    end = HEADER_END.search(raw, 0, MAX_HEADER_BYTES)
    return raw[:end.end()] if end else raw[:MAX_HEADER_BYTES]


def decode_bytes(data, charset):
    """Text of `data` in `charset`, whatever the label says: never raises."""
    charset = (charset or "").strip().lower()
    candidates = [SUPERSET_CHARSETS.get(charset, charset)] if charset else []
    candidates += ["utf-8", "windows-1252"]
    for candidate in candidates:
        try:
            return data.decode(candidate)
        except (LookupError, UnicodeDecodeError):
            continue
    return data.decode("utf-8", errors="replace")


def _unfold(value):
    return FOLD.sub("", value).replace("\r", "").replace("\n", " ")


def _header_index(message):
    """{lower-case name: [values]}, 8-bit bytes decoded (UTF-8, else Windows-1252) and unfolded.

    Built once per message and kept on it: the parser asks for some twenty headers of every email.
    """
    index = getattr(message, "_omnidesk_headers", None)
    if index is None:
        index = {}
        for key, value in message.raw_items():
            if not isinstance(value, str):
                value = str(value)
            if not value.isascii():
                value = decode_bytes(value.encode("ascii", "surrogateescape"), "utf-8")
            index.setdefault(key.lower(), []).append(_unfold(value))
        message._omnidesk_headers = index
    return index


def _raw_headers(message, name):
    """Every value of header `name`, decoded to text but with RFC 2047 encoded words left as they are."""
    return _header_index(message).get(name.lower(), [])


def decode_words(value):
    """`value` with its RFC 2047 encoded words (=?charset?Q|B?...?=) decoded; lenient, never raises."""
    if "=?" not in value:
        return value
    parts, last, after_word = [], 0, False
    for word in ENCODED_WORD.finditer(value):
        between = value[last:word.start()]
        # Blanks between two encoded words are not part of the text (RFC 2047, 6.2).
        if not (after_word and not between.strip()):
            parts.append(between)
        charset, encoding, encoded = word.groups()
        try:
            if encoding in "bB":
                data = base64.b64decode(encoded + "=" * (-len(encoded) % 4))
            else:
                data = binascii.a2b_qp(encoded.encode("ascii", "replace"), header=True)
        except (binascii.Error, ValueError):
            parts.append(word.group(0))
        else:
            parts.append(decode_bytes(data, charset.split("*")[0]))
        last, after_word = word.end(), True
    parts.append(value[last:])
    return "".join(parts)


# The standard library's structured header parser is quadratic on pathological address headers (50 KB of
# quotes takes tens of seconds): it only ever sees one RFC 5322 line's worth (998 characters) of them.
ADDRESS_HEADERS = frozenset({"from", "sender", "reply-to", "return-path", "to", "cc", "bcc"})
MAX_PARSED_ADDRESS_HEADER = 998


def header_text(message, name):
    """The decoded text of the first `name` header (RFC 2047 words decoded), "" when absent."""
    values = _raw_headers(message, name)
    if not values:
        return ""
    if name.lower() in ADDRESS_HEADERS and len(values[0]) > MAX_PARSED_ADDRESS_HEADER:
        return values[0].strip()
    return decode_words(values[0]).strip()


def message_ids(value):
    found = MESSAGE_ID.findall(value or "")
    if not found and value and "@" in value and " " not in value.strip():
        found = [value.strip()]
    return [item for item in found if len(item) <= MAX_EXTERNAL_ID_LENGTH]


# Addresses are looked for in this much of a header at most (a From is a line; a huge one is an attack).
MAX_ADDRESS_SCAN = 4000


def _addresses(message, name):
    """(display name, address) pairs of the first `name` header: parsed first, then the names decoded (a
    comma inside an encoded name must not split it). A header is scanned up to MAX_ADDRESS_SCAN only."""
    values = _raw_headers(message, name)
    try:
        pairs = getaddresses([values[0][:MAX_ADDRESS_SCAN]] if values else [])
    except RecursionError:  # comments nested thousands deep: no address to find in that
        return []
    return [(decode_words(display).strip(), address.strip()) for display, address in pairs if "@" in address]


def sender_of(message):
    """(display name, address) of who sent `message`: From, else Sender, else Return-Path."""
    for header in ("From", "Sender", "Return-Path"):
        found = _addresses(message, header)
        if found:
            return found[0]
    raise PayloadError("the email has no sender address (From)")


# Kinds of automatic mail, as the API reports them (metadata "automatic_kind").
AUTO_REPLY, AUTO_GENERATED, BULK, BOUNCE = "auto_reply", "auto_generated", "bulk", "bounce"
MAIL_SYSTEM_SENDERS = ("mailer-daemon", "postmaster")


def automatic(message):
    """(kind, why) when this mail was sent by a machine (so it must never be answered or reopen), else None."""
    auto_submitted = header_text(message, "Auto-Submitted").lower()
    if auto_submitted and auto_submitted.split(";")[0].strip() != "no":
        kind = AUTO_REPLY if auto_submitted.startswith("auto-replied") else AUTO_GENERATED
        return kind, f"Auto-Submitted: {auto_submitted}"
    precedence = header_text(message, "Precedence").lower()
    if precedence in PRECEDENCE_AUTOMATIC:
        return (AUTO_REPLY if precedence == "auto_reply" else BULK), f"Precedence: {precedence}"
    for header in ("X-Autoreply", "X-Autorespond", "X-Auto-Reply"):
        if header_text(message, header):
            return AUTO_REPLY, f"{header}: {header_text(message, header)}"
    if header_text(message, "List-Id") or header_text(message, "List-Unsubscribe"):
        return BULK, "mailing list"
    if _raw_headers(message, "Return-Path") and header_text(message, "Return-Path").strip() in ("<>", ""):
        return BOUNCE, "Return-Path: <> (sent by a mail system)"
    sender = _addresses(message, "From")
    if sender and sender[0][1].split("@")[0].lower() in MAIL_SYSTEM_SENDERS:
        return BOUNCE, f"From: {sender[0][1]} (a mail system)"
    return None


def authentication(message, authserv_id=""):
    """Results of the receiving server's SPF/DKIM/DMARC checks, and whether the sender is verified.

    Only our server's header is trusted: the one with `authserv_id`, else the
    topmost (any lower one may have been written by the sender).
    """
    headers = _raw_headers(message, "Authentication-Results")
    if authserv_id:
        headers = [h for h in headers if h.split(";")[0].strip().lower() == authserv_id.lower()]
    if not headers:
        return None
    results = {method.lower(): result.lower() for method, result in AUTH_RESULT.findall(headers[0])}
    if "dmarc" in results:
        verified = results["dmarc"] == "pass"
    else:
        failing_spf = results.get("spf") in ("fail", "softfail")
        verified = not (failing_spf and results.get("dkim") != "pass")
    return {"results": results, "verified": verified}


def _sent_at(message):
    value = header_text(message, "Date")
    try:
        sent_at = parsedate_to_datetime(value) if value else None
    except (TypeError, ValueError, IndexError):
        return None
    if sent_at is not None and sent_at.tzinfo is None:
        sent_at = sent_at.replace(tzinfo=timezone.utc)
    return sent_at


def _safe_filename(name, content_type, content_id, index):
    name = re.sub(r"[\x00-\x1f\x7f/\\]", "_", (name or "").strip()).lstrip(".")
    if not name:
        extension = mimetypes.guess_extension(content_type) or ".bin"
        name = f"{content_id.split('@')[0] or f'attachment-{index}'}{extension}"
    return name[-MAX_FILENAME_LENGTH:]


def _payload_bytes(part):
    if part.get_content_maintype() == "message":
        payload = part.get_payload()
        inner = payload[0] if isinstance(payload, list) and payload else None
        try:
            return inner.as_bytes(policy=policy.SMTP) if inner is not None else b""
        except (ValueError, TypeError, UnicodeError, LookupError):
            return bytes(inner) if inner is not None else b""
    return part.get_payload(decode=True) or b""


@dataclass
class _Body:
    text_parts: list = field(default_factory=list)
    html_parts: list = field(default_factory=list)
    attachments: list = field(default_factory=list)
    skipped: list = field(default_factory=list)


def _is_body_part(part):
    return (
        part.get_content_type() in ("text/plain", "text/html")
        and part.get_content_disposition() != "attachment"
        and not part.get_filename()
    )


def _collect(part, body, limits):
    if part.get_content_maintype() == "multipart":
        payload = part.get_payload()
        # A multipart whose boundary never comes is kept as text: its payload is then a string.
        for sub in payload if isinstance(payload, list) else ():
            _collect(sub, body, limits)
        if not isinstance(payload, list) and payload:
            body.text_parts.append(decode_bytes(part.get_payload(decode=True) or b"", part.get_content_charset()))
        return
    if _is_body_part(part):
        text = decode_bytes(part.get_payload(decode=True) or b"", part.get_content_charset())
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        (body.html_parts if part.get_content_subtype() == "html" else body.text_parts).append(text)
        return
    content = _payload_bytes(part)
    content_type = part.get_content_type()
    content_id = "".join(message_ids(part.get("Content-ID", "")))
    filename = _safe_filename(
        decode_words(decode_bytes(part.get_filename("").encode("utf-8", "surrogateescape"), "utf-8"))
        or ("forwarded-message.eml" if content_type == "message/rfc822" else ""),
        content_type, content_id, len(body.attachments) + len(body.skipped) + 1,
    )
    if len(content) > limits.max_attachment_bytes or len(body.attachments) >= limits.max_attachments:
        reason = ("larger than the limit of {} bytes".format(limits.max_attachment_bytes)
                  if len(content) > limits.max_attachment_bytes else f"more than {limits.max_attachments} attachments")
        body.skipped.append({"filename": filename, "content_type": content_type, "size": len(content),
                             "reason": reason})
        body.attachments.append(Attachment(filename=filename, content_type=content_type, size=len(content),
                                           content_id=content_id))
        return
    body.attachments.append(Attachment(filename=filename, content_type=content_type, content=content,
                                       content_id=content_id, size=len(content)))


def _external_id(message, sender_address, body_bytes):
    ids = message_ids(header_text(message, "Message-ID"))
    if ids:
        return ids[0]
    # No usable Message-ID: a stable digest, so a second delivery is still recognised.
    digest = hashlib.sha256()
    for part in (header_text(message, "Date"), sender_address, header_text(message, "Subject"), body_bytes):
        digest.update(part if isinstance(part, bytes) else part.encode("utf-8", "replace"))
        digest.update(b"\0")
    return f"sha256:{digest.hexdigest()}"


def _headers_metadata(message):
    in_reply_to = message_ids(header_text(message, "In-Reply-To"))
    references = message_ids(header_text(message, "References"))[-MAX_REFERENCES:]
    metadata = {
        "subject": header_text(message, "Subject"),
        "message_id": "".join(message_ids(header_text(message, "Message-ID"))[:1]),
        "to": [address for _, address in _addresses(message, "To")],
        "cc": [address for _, address in _addresses(message, "Cc")],
        "references": references,
        "in_reply_to": in_reply_to[0] if in_reply_to else "",
    }
    reply_to = _addresses(message, "Reply-To")
    if reply_to:
        metadata["reply_to_address"] = reply_to[0][1]
    return metadata


def _reply_refs(metadata):
    refs = ([metadata["in_reply_to"]] if metadata["in_reply_to"] else []) + metadata["references"]
    return tuple(dict.fromkeys(refs))


def _too_large(message, context, size, sender, metadata):
    limit = context.limits.max_message_bytes
    text = (f"This email was not imported: it is {size:,} bytes, over the limit of {limit:,} bytes. "
            f"Subject: {metadata['subject'] or '(none)'}. Ask the sender to send smaller files, "
            "or find the original in the mailbox.")
    return InboundMessage(
        external_id=_external_id(message, sender[1], str(size).encode()),
        sender=Sender(kind="email", address=sender[1], name=sender[0]),
        text=text,
        sent_at=_sent_at(message),
        reply_to=_reply_refs(metadata),
        metadata={**metadata, "too_large": {"size": size, "limit": limit}},
    )


def _delivery_report(message, context):
    """A DSN (RFC 3464) as the status of OUR original message, or [] for a mere delay notice."""
    original_id, actions, reasons = "", [], []
    for part in message.walk():
        content_type = part.get_content_type()
        if content_type in ("text/rfc822-headers", "message/rfc822", "message/rfc822-headers") and not original_id:
            if content_type == "text/rfc822-headers":
                headers = BytesParser(policy=PARSE_POLICY).parsebytes(
                    (part.get_payload(decode=True) or b""), headersonly=True)
            else:
                payload = part.get_payload()
                headers = payload[0] if isinstance(payload, list) and payload else None
            original_id = "".join(message_ids(header_text(headers, "Message-ID"))[:1]) if headers is not None else ""
        elif content_type == "message/delivery-status":
            for block in part.get_payload() or []:
                action = header_text(block, "Action").lower()
                if not action:
                    continue
                actions.append(action)
                recipient = header_text(block, "Final-Recipient").split(";")[-1].strip()
                detail = header_text(block, "Diagnostic-Code").split(";", 1)[-1].strip() or header_text(block, "Status")
                detail = re.sub(r"\s+", " ", detail)
                reasons.append(f"{recipient}: {detail}" if recipient else detail)
    if not original_id:
        raise PayloadError("a delivery report without the Message-ID of the original message")
    if original_id.rsplit("@", 1)[-1].lower() not in context.own_domains:
        raise PayloadError(f"a delivery report about {original_id}, which was not sent by this channel")
    if "failed" in actions:
        return [InboundStatus(external_id=original_id, status="failed",
                              reason=FailureReason(BOUNCED, {"details": "; ".join(reasons)[:1000]}),
                              at=_sent_at(message))]
    if any(action in ("delivered", "relayed", "expanded") for action in actions):
        return [InboundStatus(external_id=original_id, status="delivered", at=_sent_at(message))]
    return []


def is_delivery_report(message):
    return message.get_content_type() == "multipart/report" and (
        (message.get_param("report-type") or "").lower() == "delivery-status"
    )


def parse_message_bytes(raw):
    return BytesParser(policy=PARSE_POLICY).parsebytes(raw)


def _new_part(full_text, full_html, has_text_part, subject):
    """(text, html, whether html was cut): what the customer wrote now, without history or signature."""
    if is_forward(subject):
        return full_text, full_html, False
    shown_html, html_cut = cut_quotes(full_html) if full_html else ("", False)
    if html_cut and not html_to_text(shown_html):
        shown_html, html_cut = full_html, False  # nothing new was written: show it all
    shown_text = strip_reply(full_text)
    if not has_text_part and full_html:
        shown_text = strip_reply(html_to_text(shown_html)) or shown_text
    return shown_text, shown_html, html_cut


def parse_email(raw, context):
    """[InboundMessage] for a message, [InboundStatus] for a bounce of ours (or [] for a delay notice)."""
    size = context.original_size or len(raw)
    too_large = context.original_size is not None or size > context.limits.max_message_bytes
    message = BytesParser(policy=PARSE_POLICY).parsebytes(raw, headersonly=too_large)
    if not too_large and is_delivery_report(message):
        return _delivery_report(message, context)
    sender = sender_of(message)
    metadata = {**_headers_metadata(message), **context.provider_metadata}
    machine = automatic(message)
    if machine:
        metadata["automatic_kind"], metadata["automatic"] = machine
    auth = authentication(message, context.authserv_id)
    if auth is not None:
        metadata["authentication"] = auth["results"]
        metadata["sender_verified"] = auth["verified"]
    if too_large:
        return [_too_large(message, context, size, sender, metadata)]

    body = _Body()
    _collect(message, body, context.limits)
    full_html = "".join(body.html_parts)
    full_text = "\n".join(body.text_parts).strip() or html_to_text(full_html)
    shown_text, shown_html, html_cut = _new_part(full_text, full_html, bool(body.text_parts), metadata["subject"])
    safe_html = sanitise_email_html(shown_html)
    safe_original = sanitise_email_html(full_html)
    if html_cut or shown_text != full_text:
        metadata["original_text"] = full_text
        if full_html:
            metadata["original_html"] = safe_original.html
    if safe_original.blocked_images:
        metadata["remote_images_blocked"] = safe_original.blocked_images
    if body.skipped:
        metadata["skipped_attachments"] = body.skipped
    return [
        InboundMessage(
            external_id=_external_id(message, sender[1], raw),
            sender=Sender(kind="email", address=sender[1], name=sender[0],
                          verified=metadata.get("sender_verified", True)),
            text=shown_text,
            html=safe_html.html,
            attachments=tuple(body.attachments) + tuple(context.provider_attachments),
            sent_at=_sent_at(message),
            reply_to=_reply_refs(metadata),
            metadata=metadata,
            reopens=not machine,
        )
    ]
