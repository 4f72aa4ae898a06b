"""Normalised identity addresses: the key that makes one customer out of many channels."""
import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _


class InvalidAddress(ValueError):
    pass


PHONE = "phone"
EMAIL = "email"
IDENTITY_KINDS = [
    (EMAIL, _("Email")),
    (PHONE, _("Phone")),
    ("messenger", _("Messenger")),
    ("instagram", _("Instagram")),
    ("telegram", _("Telegram")),
    ("webchat", _("Web chat")),
    ("external", _("External")),
]
IDENTITY_KIND_NAMES = {kind for kind, _ in IDENTITY_KINDS}
MAX_ADDRESS_LENGTH = 255


def normalise_phone(raw, region=None):
    text = (raw or "").strip()
    if text.lower().startswith("whatsapp:"):
        text = text[len("whatsapp:"):]
    digits_only = text.replace(" ", "").replace("-", "")
    # Providers such as WhatsApp Cloud send "5511999990001": international, without "+".
    if digits_only.isdigit() and len(digits_only) > 11:
        text = "+" + digits_only
    try:
        number = phonenumbers.parse(text, region or settings.DEFAULT_PHONE_REGION)
    except phonenumbers.NumberParseException as exc:
        raise InvalidAddress(f"not a phone number: {raw!r}") from exc
    if not phonenumbers.is_valid_number(number):
        number = _current_mobile_form(number) or number
    if not phonenumbers.is_possible_number(number):
        raise InvalidAddress(f"not a possible phone number: {raw!r}")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _current_mobile_form(number):
    """The current form of a Brazilian or Mexican mobile number written the old way, or None.

    WhatsApp ids keep the old forms (Brazil without the ninth digit, Mexico with a 1 after the country
    code): without this, the same phone on SMS and WhatsApp would be two customers.
    """
    national = str(number.national_number)
    current = None
    if number.country_code == 55 and len(national) == 10 and national[2] in "6789":
        current = national[:2] + "9" + national[2:]
    elif number.country_code == 52 and len(national) == 11 and national.startswith("1"):
        current = national[1:]
    if current is None:
        return None
    fixed = phonenumbers.PhoneNumber(country_code=number.country_code, national_number=int(current))
    return fixed if phonenumbers.is_valid_number(fixed) else None


def normalise_email(raw):
    text = (raw or "").strip().lower()
    try:
        validate_email(text)
    except ValidationError as exc:
        raise InvalidAddress(f"not an email address: {raw!r}") from exc
    return text


def normalise_address(kind, raw):
    """Return the canonical form of `raw` for identity `kind`, or raise InvalidAddress."""
    if kind not in IDENTITY_KIND_NAMES:
        raise InvalidAddress(f"unknown identity kind: {kind!r}")
    if kind == PHONE:
        address = normalise_phone(raw)
    elif kind == EMAIL:
        address = normalise_email(raw)
    else:
        address = str(raw or "").strip()
    if not address:
        raise InvalidAddress("empty address")
    if len(address) > MAX_ADDRESS_LENGTH:
        raise InvalidAddress("address too long")
    return address
