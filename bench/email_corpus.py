"""A seeded corpus of customer mails (the same every run, MIME boundaries aside) as a mail server would hand them over (RFC 5322 bytes).

A realistic mix in Portuguese, Spanish and English: plain text, HTML with a
text alternative, latin-1 bodies, quoted-printable and base64, small
attachments, the odd auto-reply; and threads: about 30% of the mails answer
an earlier one (In-Reply-To/References). Most replies come from the
thread's customer, some from a colleague the customer copied (Cc) - who
belongs in the thread - and a few from a stranger who only claims to answer
(a References header anyone could write) - who does not.
"""
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime

MAILBOX = "support@bench.example"
NAMES = ["Maria Souza", "João Pereira", "Ana Gómez", "Bruno Lima", "Zoë Martin", "Chloé Dubois", "Li Wei", "Oluwaseun Ade"]
SUBJECTS = ["Order #{n} not delivered", "Pedido #{n}: troca de endereço", "Invoice question ({n})",
            "Problema com o app, versão 4.{n}", "Reclamación pedido {n}", "¿Dónde está mi pedido {n}?"]
PARAGRAPHS = {
    "en": "Hello, I bought a pair of shoes last week and they still have not arrived. The tracking page says "
          "the parcel is at the depot since Monday. Could you check what is happening? ",
    "pt": "Olá, comprei um par de sapatos na semana passada e ainda não chegaram. A página de rastreio diz que o "
          "pacote está no depósito desde segunda-feira. Vocês podem verificar o que está acontecendo? Obrigado! ",
    "es": "Hola, compré un par de zapatos la semana pasada y todavía no llegaron. La página de seguimiento dice "
          "que el paquete está en el depósito desde el lunes. ¿Podrían revisar qué pasa? ¡Gracias! ",
}
QUOTE_HEADERS = {"en": "On Mon, 1 Jun 2026, {name} wrote:", "pt": "Em seg., 1 de jun. de 2026, {name} escreveu:",
                 "es": "El lun, 1 jun 2026, {name} escribió:"}
PIXEL_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c63000100000500010d0a2db40000000049454e44ae426082"
)
REPLY_SHARE = 0.3
# Of the replies: from a colleague the thread's mail was copied to, from a stranger who only claims it.
COLLEAGUE_SHARE = 0.19
STRANGER_SHARE = 0.04
CC_SHARE = 0.4


@dataclass
class _Thread:
    customer: Address
    language: str
    subject: str
    ids: list = field(default_factory=list)
    colleague: Address | None = None


def _address(name, local, domain):
    return Address(display_name=name, addr_spec=f"{local}@{domain}")


def _body(mail, rng, language, name, quoted_name):
    text = PARAGRAPHS[language] * rng.randint(1, 6) + f"\n\n-- \n{name}\n"
    if quoted_name:
        quote = QUOTE_HEADERS[language].format(name=quoted_name)
        text += f"\n{quote}\n> " + PARAGRAPHS[language][:120] + "\n"
    if language != "en" and rng.random() < 0.25:
        mail.set_content(text, charset="iso-8859-1", cte="quoted-printable")
    else:
        mail.set_content(text, cte="quoted-printable" if rng.random() < 0.5 else "8bit")
    if rng.random() < 0.5:
        mail.add_alternative(f"<html><body><p>{text}</p><img src='cid:logo'></body></html>", subtype="html")


def _new_thread(number, rng, domain):
    name = rng.choice(NAMES)
    thread = _Thread(customer=_address(name, f"customer{number}", domain), language=rng.choice(list(PARAGRAPHS)),
                     subject=rng.choice(SUBJECTS).format(n=number))
    if rng.random() < CC_SHARE:
        thread.colleague = _address(rng.choice(NAMES), f"colleague{number}", domain)
    return thread


def _reply_author(number, rng, thread, domain):
    """(From, Cc) of a reply in `thread`: its customer, the colleague they copied, or a stranger."""
    draw = rng.random()
    if thread.colleague and draw < COLLEAGUE_SHARE / CC_SHARE:
        return thread.colleague, [thread.customer]
    if draw > 1 - STRANGER_SHARE:
        return _address(rng.choice(NAMES), f"stranger{number}", domain), []
    return thread.customer, [thread.colleague] if thread.colleague else []


def _message(number, rng, sent_at, threads, domain):
    mail = EmailMessage()
    replying = bool(threads) and rng.random() < REPLY_SHARE
    if replying:
        thread = rng.choice(threads[-200:])
        sender, copied = _reply_author(number, rng, thread, domain)
        subject = f"Re: {thread.subject}"
    else:
        thread = _new_thread(number, rng, domain)
        threads.append(thread)
        sender, copied = thread.customer, [thread.colleague] if thread.colleague else []
        subject = thread.subject
    mail["From"] = sender
    mail["To"] = MAILBOX
    if copied:
        mail["Cc"] = copied
    mail["Subject"] = subject
    mail["Date"] = format_datetime(sent_at)
    message_id = f"<bench-{number}@{domain}>"
    mail["Message-ID"] = message_id
    if replying:
        mail["In-Reply-To"] = thread.ids[-1]
        mail["References"] = " ".join(thread.ids[-5:])
    if rng.random() < 0.03:
        mail["Auto-Submitted"] = "auto-replied"
    _body(mail, rng, thread.language, sender.display_name, thread.customer.display_name if replying else "")
    if rng.random() < 0.1:
        mail.add_attachment(PIXEL_PNG, maintype="image", subtype="png", filename=f"photo-{number}.png")
    thread.ids.append(message_id)
    return bytes(mail)


def generate(count, seed=5, domain="mail.example"):
    """`count` mails; another `domain` gives the same corpus from other people (new customers to a database)."""
    rng = random.Random(seed)
    started = datetime(2026, 6, 1, tzinfo=timezone.utc)
    threads = []
    return [_message(number, rng, started + timedelta(seconds=37 * number), threads, domain)
            for number in range(count)]
