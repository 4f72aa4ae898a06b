"""The one email parser over the raw corpus: threading facts, quotes, charsets, HTML attacks, loops, bounces, limits."""
import pytest

from channels_adapters.base import PayloadError
from channels_adapters.email.parser import EmailLimits, ParseContext, parse_email
from channels_adapters.types import InboundMessage, InboundStatus

from .conftest import fixture_bytes

LIMITS = EmailLimits(max_message_bytes=1_000_000, max_attachment_bytes=100_000, max_attachments=10)
CONTEXT = ParseContext(limits=LIMITS, own_domains=frozenset({"inbox.example.com"}))


def parse_one(name, context=CONTEXT):
    items = parse_email(fixture_bytes(name), context)
    assert len(items) == 1
    return items[0]


def test_a_first_message_gives_sender_subject_and_message_id():
    message = parse_one("01_plain_first_message.eml")
    assert isinstance(message, InboundMessage)
    assert message.external_id == "first-0001@mail.example.com"
    assert (message.sender.kind, message.sender.address, message.sender.name) == (
        "email", "maria.teste@example.com", "Maria Teste")
    assert message.metadata["subject"] == "Pedido #1234 atrasado"
    assert message.text.startswith("Olá,\n\nFiz o pedido #1234 há 10 dias")
    assert message.sent_at.isoformat() == "2026-01-12T09:00:00-03:00"
    assert message.reopens and "original_text" not in message.metadata


@pytest.mark.parametrize(
    "name, shown, hidden",
    [
        ("02_gmail_reply_quoted.eml", "Obrigada! O código de rastreio não funciona no site dos Correios.",
         "seu pedido foi enviado"),
        ("03_outlook_reply_no_in_reply_to.eml", "Recebi, obrigado. Mas o valor está errado.\n\nJoão",
         "segue a segunda via"),
        ("10_apple_mail_reply.eml", "Perfecto, muchas gracias. ¿Llegará antes del viernes?", "salió hoy"),
        ("11_thunderbird_reply.eml", "Bom dia, prefiro o tamanho M.", "que tamanho prefere"),
        ("14_gmail_reply_portuguese.eml", "Recebi a nota, obrigada!", "segue a nota fiscal"),
        ("15_reply_spanish.eml", "¿Y cuánto cuesta el envío urgente?", "Hacemos envíos"),
        ("21_outlook_original_message.eml", "Pode reenviar o boleto atualizado, por favor?\n\nCarla", "venceu ontem"),
    ],
)
def test_quoted_history_and_signature_are_hidden_but_the_full_original_is_kept(name, shown, hidden):
    message = parse_one(name)
    assert message.text == shown
    assert hidden not in message.text and hidden not in message.html
    assert hidden in message.metadata["original_text"]
    for signature in ("Sent from my iPhone", "Enviado desde mi iPhone", "Tel. +351"):
        assert signature not in message.text


def test_html_quotes_of_each_client_are_cut_and_the_full_html_is_kept_sanitised():
    gmail = parse_one("02_gmail_reply_quoted.eml")
    assert "gmail_quote" not in gmail.html and "Rastreio" not in gmail.html
    assert "Rastreio: BR000000000FAKE" in gmail.metadata["original_html"]
    outlook = parse_one("03_outlook_reply_no_in_reply_to.eml")
    assert outlook.html == "<div>Recebi, obrigado. Mas o valor está errado.</div><div>João</div>"
    apple = parse_one("10_apple_mail_reply.eml")
    assert "blockquote" not in apple.html and "Sent from my iPhone" not in apple.html
    thunderbird = parse_one("11_thunderbird_reply.eml")
    assert "Pedro Alves" not in thunderbird.html and "<p>Bom dia, prefiro o tamanho M.</p>" in thunderbird.html


def test_threading_headers_are_kept_for_replies():
    message = parse_one("02_gmail_reply_quoted.eml")
    assert message.external_id == "CAFAKEgmail0002+abc=XYZ@mail.gmail.com"
    assert message.metadata["in_reply_to"] == "outbound-0001@inbox.example.com"
    assert message.metadata["references"] == ["first-0001@mail.example.com", "outbound-0001@inbox.example.com"]
    assert message.reply_to == ("outbound-0001@inbox.example.com", "first-0001@mail.example.com")


@pytest.mark.parametrize(
    "name, sender_name, subject, text_part",
    [
        ("07_iso8859_1_portuguese.eml", "João Conceição", "Solicitação de reembolso - cartão não aceito",
         "Caracteres de teste: á é í ó ú â ê ô ã õ ç à ü Á É Ç Ã Õ ª º « » °"),
        ("12_windows_1252.eml", "O'Brien, Sean", "Invoice “Q1” – €120",
         "Hi – the invoice says €120, but we agreed “€100”. Isn’t that right?…"),
        ("03_outlook_reply_no_in_reply_to.eml", "Joao Silva", "RE: [#1235] Segunda via do boleto", "está errado"),
    ],
)
def test_charsets_are_decoded(name, sender_name, subject, text_part):
    message = parse_one(name)
    assert message.sender.name == sender_name
    assert message.metadata["subject"] == subject
    assert text_part in message.text


def test_broken_headers_still_give_a_message_with_a_stable_id():
    message = parse_one("13_broken_headers.eml")
    assert message.sender.name == "José Muñoz"
    assert message.sender.address == "JOSE.MUNOZ@example.mx"  # lower-cased by ingest's normalisation
    assert message.metadata["subject"].startswith("Reclamación")
    assert message.text == "La factura llegó con el importe equivocado."
    assert message.sent_at is None
    assert message.external_id.startswith("sha256:")
    assert parse_one("13_broken_headers.eml").external_id == message.external_id


def test_malicious_html_is_neutralised():
    message = parse_one("08_malicious_html.eml")
    html = message.html.lower()
    for forbidden in ("<script", "onerror", "onload", "onmouseover", "javascript:", "<iframe", "<object", "<embed",
                      "<svg", "<form", "<input", "<meta", "<base", "<style", "expression(", "data:text/html",
                      "alert('cc')", "style="):
        assert forbidden not in html, forbidden
    assert 'href="https://evil.example/login"' in html and 'rel="noopener noreferrer nofollow"' in html
    # The tracking pixel is not loaded until an agent allows remote images.
    assert 'data-blocked-src="https://tracker.evil.example/pixel.gif?id=1"' in message.html
    assert ' src="https://tracker' not in message.html
    assert message.metadata["remote_images_blocked"] == 1
    # Kept as text; escaped where it is displayed.
    assert message.metadata["subject"] == "Invoice overdue <script>alert('subject')</script>"
    assert message.metadata["reply_to_address"] == "collect@evil.example"
    assert message.sender.address == "attacker@evil.example"  # the identity is From, never Reply-To


def test_html_only_mail_gets_a_text_fallback_and_forged_blocked_images_are_dropped():
    message = parse_one("16_html_only_attacks.eml")
    assert message.text.startswith("Hello team, see below.")
    assert "Order 4512" in message.text
    assert 'data-blocked-src="https://tracker.evil.example/open.gif"' in message.html  # protocol-relative
    assert 'data-blocked-src="HTTPS://cdn.evil.example/banner.png"' in message.html
    assert "javascript" not in message.html.lower() and "vbscript" not in message.html.lower()
    assert "forged" not in message.html  # a sender cannot plant its own data-blocked-src
    assert 'src="cid:logo@evil.example"' in message.html
    assert "onerror" not in message.html and "tracker.evil.example/css.gif" not in message.html


def test_inline_images_and_attachments_are_kept_with_their_content_ids():
    message = parse_one("04_html_inline_image_and_attachment.eml")
    attachments = {a.filename: a for a in message.attachments}
    assert set(attachments) == {"erro.png", "comprovante.pdf"}
    assert attachments["erro.png"].content_id == "erro-png-0004@example.org"
    assert attachments["erro.png"].content.startswith(b"\x89PNG")
    assert attachments["comprovante.pdf"].content.startswith(b"%PDF-1.4")
    assert 'src="cid:erro-png-0004@example.org"' in message.html


def test_a_forwarded_email_is_an_attachment():
    message = parse_one("21_outlook_original_message.eml")
    (forwarded,) = message.attachments
    assert (forwarded.filename, forwarded.content_type) == ("forwarded-message.eml", "message/rfc822")
    assert b"Seu boleto vence hoje." in forwarded.content


def test_attachments_over_the_limits_are_listed_not_stored():
    context = ParseContext(limits=EmailLimits(1_000_000, max_attachment_bytes=100, max_attachments=10),
                           own_domains=CONTEXT.own_domains)
    message = parse_one("04_html_inline_image_and_attachment.eml", context)
    pdf = next(a for a in message.attachments if a.filename == "comprovante.pdf")
    assert pdf.content is None and pdf.size == 125
    assert message.metadata["skipped_attachments"] == [
        {"filename": "comprovante.pdf", "content_type": "application/pdf", "size": 125,
         "reason": "larger than the limit of 100 bytes"}]


def test_an_email_over_the_size_limit_becomes_a_clear_record():
    context = ParseContext(limits=EmailLimits(500, 100, 10), own_domains=CONTEXT.own_domains)
    message = parse_one("04_html_inline_image_and_attachment.eml", context)
    assert message.metadata["too_large"] == {"size": 1593, "limit": 500}
    assert "not imported" in message.text and "Print do erro e comprovante" in message.text
    assert message.attachments == () and message.sender.address == "ana.souza@example.org"
    assert message.external_id == "inline-0004@example.org"


@pytest.mark.parametrize(
    "name, kind, reason",
    [
        ("05_auto_reply.eml", "auto_reply", "Auto-Submitted: auto-replied"),
        ("17_newsletter_bulk.eml", "bulk", "Precedence: bulk"),
    ],
)
def test_automatic_mail_is_marked_and_never_reopens(name, kind, reason):
    message = parse_one(name)
    assert message.reopens is False
    assert (message.metadata["automatic_kind"], message.metadata["automatic"]) == (kind, reason)


@pytest.mark.parametrize(
    "headers, kind, reason",
    [
        (b"Auto-Submitted: auto-generated\r\n", "auto_generated", "Auto-Submitted: auto-generated"),
        (b"Precedence: auto_reply\r\n", "auto_reply", "Precedence: auto_reply"),
        (b"X-Autoreply: yes\r\n", "auto_reply", "X-Autoreply: yes"),
        (b"List-Id: <news.shop.example>\r\n", "bulk", "mailing list"),
    ],
)
def test_each_kind_of_automatic_mail_says_why(headers, kind, reason):
    message = parse_email(headers + fixture_bytes("01_plain_first_message.eml"), CONTEXT)[0]
    assert (message.metadata["automatic_kind"], message.metadata["automatic"], message.reopens) == (kind, reason, False)


def test_a_bounce_that_is_no_delivery_report_is_still_a_bounce():
    raw = (fixture_bytes("01_plain_first_message.eml")
           .replace(b"Return-Path: <maria.teste@example.com>", b"Return-Path: <>")
           .replace(b"From: Maria Teste <maria.teste@example.com>",
                    b"From: Mail Delivery System <MAILER-DAEMON@mx.example.com>"))
    message = parse_email(raw, CONTEXT)[0]
    assert (message.metadata["automatic_kind"], message.reopens) == ("bounce", False)
    assert message.metadata["automatic"] == "Return-Path: <> (sent by a mail system)"
    without_return_path = raw.replace(b"Return-Path: <>\r\n", b"")
    assert parse_email(without_return_path, CONTEXT)[0].metadata["automatic"] == (
        "From: MAILER-DAEMON@mx.example.com (a mail system)")


def test_the_usual_messages_are_not_automatic():
    for name in ("01_plain_first_message.eml", "02_gmail_reply_quoted.eml", "07_iso8859_1_portuguese.eml"):
        message = parse_one(name)
        assert message.reopens and "automatic" not in message.metadata


@pytest.mark.parametrize(
    "name, external_id, reason",
    [
        ("06_bounce_dsn.eml", "outbound-0006@inbox.example.com",
         "Bounced: nobody-0006@remote.example: 550 5.1.1 <nobody-0006@remote.example>: Recipient address rejected: "
         "User unknown in virtual mailbox table"),
        ("18_bounce_returned_message.eml", "outbound-0018@inbox.example.com",
         "Bounced: gone@remote.example: 550 5.2.1 Mailbox disabled"),
    ],
)
def test_a_bounce_is_the_failure_of_our_original_message(name, external_id, reason):
    status = parse_one(name)
    assert isinstance(status, InboundStatus)
    assert (status.external_id, status.status, status.reason.code) == (external_id, "failed", "email.bounced")
    assert str(status.reason) == reason


def test_a_delay_notice_changes_nothing():
    assert parse_email(fixture_bytes("19_dsn_delayed.eml"), CONTEXT) == []


def test_a_bounce_of_mail_we_did_not_send_is_refused_clearly():
    context = ParseContext(limits=LIMITS, own_domains=frozenset({"other.example"}))
    with pytest.raises(PayloadError, match="not sent by this channel"):
        parse_email(fixture_bytes("06_bounce_dsn.eml"), context)


def test_failing_dmarc_of_our_server_marks_the_sender_not_verified():
    message = parse_one("20_auth_results_fail.eml")
    assert message.metadata["sender_verified"] is False
    assert message.metadata["authentication"] == {"spf": "fail", "dkim": "none", "dmarc": "fail"}
    assert message.sender.verified is False


def test_authentication_results_of_another_server_are_not_trusted():
    context = ParseContext(limits=LIMITS, authserv_id="mx.other.example")
    message = parse_one("20_auth_results_fail.eml", context)
    assert "sender_verified" not in message.metadata and message.sender.verified


def test_a_message_without_a_sender_is_refused():
    with pytest.raises(PayloadError, match="no sender address"):
        parse_email(b"Subject: hello\r\n\r\nbody\r\n", CONTEXT)


def test_a_forwarded_email_is_shown_whole():
    message = parse_one("22_gmail_forward.eml")
    assert "Valor: R$ 999,00" in message.text and "Valor: R$ 999,00" in message.html
    assert "original_text" not in message.metadata
