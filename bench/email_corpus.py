"""A seeded corpus of customer mails (the same every run, MIME boundaries aside) as a mail server would hand them over (RFC 5322 bytes).

A realistic mix: plain text, HTML with a text alternative, replies with
In-Reply-To/References, non-ASCII names and subjects, quoted-printable and
base64 bodies, small attachments and the odd auto-reply.
"""
import random
from datetime import datetime, timedelta, timezone
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime

MAILBOX = "support@bench.example"
NAMES = ["Maria Souza", "João Pereira", "Ana Gómez", "Bruno Lima", "Zoë Martin", "Chloé Dubois", "Li Wei", "Oluwaseun Ade"]
SUBJECTS = ["Order #{n} not delivered", "Pedido #{n}: troca de endereço", "Invoice question ({n})",
            "Re: Your ticket #{n}", "Problema com o app, versão 4.{n}", "Réclamation commande {n}"]
PARAGRAPH = ("Hello, I bought a pair of shoes last week and they still have not arrived. The tracking page says "
             "the parcel is at the depot since Monday. Could you check what is happening? Obrigado! ")
PIXEL_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c63000100000500010d0a2db40000000049454e44ae426082"
)


def _message(number, rng, sent_at, previous_ids):
    name = rng.choice(NAMES)
    mail = EmailMessage()
    mail["From"] = Address(display_name=name, addr_spec=f"customer{number % 2_000}@mail.example")
    mail["To"] = MAILBOX
    mail["Subject"] = rng.choice(SUBJECTS).format(n=number)
    mail["Date"] = format_datetime(sent_at)
    message_id = f"<bench-{number}@mail.example>"
    mail["Message-ID"] = message_id
    if previous_ids and rng.random() < 0.3:
        parent = rng.choice(previous_ids)
        mail["In-Reply-To"] = parent
        mail["References"] = parent
    if rng.random() < 0.03:
        mail["Auto-Submitted"] = "auto-replied"
    text = PARAGRAPH * rng.randint(1, 6) + f"\n\n-- \n{name}\n"
    mail.set_content(text, cte="quoted-printable" if rng.random() < 0.5 else "8bit")
    if rng.random() < 0.5:
        mail.add_alternative(f"<html><body><p>{text}</p><img src='cid:logo'></body></html>", subtype="html")
    if rng.random() < 0.1:
        mail.add_attachment(PIXEL_PNG, maintype="image", subtype="png", filename=f"photo-{number}.png")
    return message_id, bytes(mail)


def generate(count, seed=5):
    rng = random.Random(seed)
    started = datetime(2026, 6, 1, tzinfo=timezone.utc)
    mails, ids = [], []
    for number in range(count):
        message_id, raw = _message(number, rng, started + timedelta(seconds=37 * number), ids[-200:])
        ids.append(message_id)
        mails.append(raw)
    return mails
