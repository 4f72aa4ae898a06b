"""Quoted history and signatures in plain-text replies: what the timeline hides (the original is kept).

Covers the attribution lines of Gmail, Apple Mail and Thunderbird in English,
Portuguese, Spanish, French and German ("On ... wrote:", "Em ... escreveu:",
"El ... escribió:"), Outlook's header blocks ("From:/Sent:" after a rule, or
"-----Original Message-----"), bare ">" quotes at the end, the "-- "
signature delimiter and mobile sign-offs ("Sent from my iPhone").
"""
import re

# An attribution may be wrapped over a few lines by the sender's client.
ATTRIBUTION_MAX_LINES = 3
ATTRIBUTION_START = re.compile(r"^\s*(on|em|el|le|am|op|il)\b", re.IGNORECASE)
ATTRIBUTION = re.compile(
    r"^\s*(on|em|el|le|am|op|il)\b.{0,400}?"
    r"(wrote|escreveu|escribi[oó]|a\s+[ée]crit|schrieb|schreef|ha\s+scritto)\s*:\s*$",
    re.IGNORECASE | re.DOTALL,
)
ORIGINAL_MESSAGE = re.compile(
    r"^\s*-{2,}\s*(original message|mensagem original|mensaje original|message d'origine|"
    r"urspr[üu]ngliche nachricht)\s*-{2,}\s*$",
    re.IGNORECASE,
)
# A forwarded email is what the customer wants us to read: never hidden as "history".
FORWARD_SUBJECT = re.compile(r"^\s*(fwd?|enc|rv|tr|wg)\s*:", re.IGNORECASE)
RULE = re.compile(r"^\s*_{8,}\s*$")
HEADER_FROM = re.compile(r"^\s*\*?(from|de|von|da)\s*:\*?\s+\S", re.IGNORECASE)
HEADER_SENT = re.compile(
    r"^\s*\*?(sent|date|enviado|enviada|data|fecha|gesendet|envoy[ée])\s*:\*?\s+\S", re.IGNORECASE
)
SIGNATURE_DELIMITER = re.compile(r"^-- ?$")
MOBILE_SIGN_OFF = re.compile(
    r"^\s*(sent from my \w+|sent from (outlook|mail) for \w+|get outlook for \w+|"
    r"enviado d[eo] (meu|minha) \w+|enviado desde mi \w+|enviado desde outlook para \w+)\b.{0,40}$",
    re.IGNORECASE,
)
# A "-- " block longer than this is more likely content than a signature.
MAX_SIGNATURE_LINES = 12


def _attribution_at(lines, index):
    if not ATTRIBUTION_START.match(lines[index]):  # cheap first: most lines are not one
        return False
    for span in range(1, ATTRIBUTION_MAX_LINES + 1):
        chunk = " ".join(line.strip() for line in lines[index:index + span])
        if ATTRIBUTION.match(chunk):
            return True
    return False


def _header_block_at(lines, index):
    if not HEADER_FROM.match(lines[index]):
        return False
    return any(HEADER_SENT.match(line) for line in lines[index + 1:index + 5])


def _last_unquoted(lines):
    """Index of the last non-blank line that is not a ">" quote (-1 when none): one pass, not one per line."""
    for index in range(len(lines) - 1, -1, -1):
        if lines[index].strip() and not lines[index].lstrip().startswith(">"):
            return index
    return -1


def quote_start(lines):
    """Index of the first line of the quoted history, or None."""
    last_unquoted = _last_unquoted(lines)
    for index, line in enumerate(lines):
        if not line.strip():  # nothing starts on a blank line (an attribution is found from its first word)
            continue
        if ORIGINAL_MESSAGE.match(line) or _attribution_at(lines, index):
            return index
        if RULE.match(line) and any(_header_block_at(lines, i) for i in range(index + 1, min(index + 3, len(lines)))):
            return index
        if _header_block_at(lines, index) and index > 0:
            return index
        if index > last_unquoted and line.lstrip().startswith(">"):  # only ">" quotes from here on
            return index
    return None


def _strip_signature(lines):
    end = len(lines)
    while end and (not lines[end - 1].strip() or MOBILE_SIGN_OFF.match(lines[end - 1])):
        end -= 1
    lines = lines[:end]
    for index in range(len(lines) - 1, 0, -1):
        if SIGNATURE_DELIMITER.match(lines[index]):
            if len(lines) - index <= MAX_SIGNATURE_LINES:
                return lines[:index]
            break
    return lines


def is_forward(subject):
    return bool(FORWARD_SUBJECT.match(subject or ""))


def strip_reply(text):
    """The new part of a plain-text reply: quoted history and signature removed.

    Returns the text unchanged when nothing would be left.
    """
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    start = quote_start(lines)
    kept = lines[:start] if start is not None else lines
    kept = _strip_signature(kept)
    result = "\n".join(kept).strip("\n").rstrip()
    return result if result.strip() else text.strip()
