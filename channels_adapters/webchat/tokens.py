"""Visitor tokens: who a widget speaks for, signed by us and bound to one channel.

An anonymous visitor keeps one token (in the browser's localStorage) for
months: reloads and new tabs resume the same conversation. The token also
carries what the host page said about the visitor on its last /session
call: a verified identity (only after its identifier_hash was checked) and
unproven claims (name, email, phone), which are never used to find a
customer.
"""
import hashlib
import hmac
import secrets
from dataclasses import dataclass, replace

from django.conf import settings
from django.core import signing

from conversations.addresses import EMAIL, PHONE, InvalidAddress, normalise_email, normalise_phone

SALT = "omnidesk.webchat.visitor"
ANONYMOUS_KIND = "webchat"
EXTERNAL_KIND = "external"
MAX_IDENTIFIER_LENGTH = 255


class InvalidToken(ValueError):
    pass


@dataclass(frozen=True)
class Visitor:
    channel_id: str
    visitor_id: str
    verified_kind: str = ""
    verified_address: str = ""
    name: str = ""
    email: str = ""  # claimed, not proven
    phone: str = ""  # claimed, not proven
    # When the verified identity was proven by a one-time code (epoch seconds; 0: by setUser, or not at all).
    code_verified_at: int = 0
    language: str = ""  # the widget's language, as a code of settings.LANGUAGES

    @property
    def verified(self):
        return bool(self.verified_kind)

    @property
    def identity(self):
        """(kind, address) of the identity this visitor writes from."""
        if self.verified:
            return self.verified_kind, self.verified_address
        return ANONYMOUS_KIND, self.visitor_id

    def proven_by_code_recently(self, now_seconds):
        """A code proved the identity less than a verification's lifetime ago (it lasts across page loads)."""
        age = now_seconds - self.code_verified_at
        return bool(self.verified and self.code_verified_at) and 0 <= age < settings.WEBCHAT_VERIFIED_TOKEN_MAX_AGE_SECONDS

    def anonymous(self):
        """The same browser with nothing said about who it is (logout)."""
        return Visitor(channel_id=self.channel_id, visitor_id=self.visitor_id, language=self.language)

    def with_profile(self, **changes):
        return replace(self, **changes)


def new_visitor(channel_id):
    return Visitor(channel_id=str(channel_id), visitor_id=secrets.token_hex(16))


def dump(visitor):
    data = {"c": visitor.channel_id, "v": visitor.visitor_id}
    for key, value in (("vk", visitor.verified_kind), ("va", visitor.verified_address), ("n", visitor.name),
                       ("e", visitor.email), ("p", visitor.phone), ("vc", visitor.code_verified_at),
                       ("l", visitor.language)):
        if value:
            data[key] = value
    return signing.dumps(data, salt=SALT, compress=True)


def load(token, channel_id):
    """The Visitor of `token` for this channel; raises InvalidToken (forged, expired, other channel)."""
    if not isinstance(token, str) or not token or len(token) > 2000:
        raise InvalidToken("missing token")
    try:
        data = signing.loads(token, salt=SALT, max_age=settings.WEBCHAT_TOKEN_MAX_AGE_SECONDS)
    except signing.BadSignature as exc:  # SignatureExpired is a BadSignature too
        raise InvalidToken(str(exc)) from exc
    if not isinstance(data, dict) or data.get("c") != str(channel_id) or not data.get("v"):
        raise InvalidToken("token of another channel")
    if data.get("vk"):
        try:  # a verification lasts a day at most: the host page renews it on every load
            signing.loads(token, salt=SALT, max_age=settings.WEBCHAT_VERIFIED_TOKEN_MAX_AGE_SECONDS)
        except signing.SignatureExpired:
            data.pop("vk"), data.pop("va", None)
    return Visitor(
        channel_id=data["c"], visitor_id=data["v"], verified_kind=data.get("vk", ""),
        verified_address=data.get("va", ""), name=data.get("n", ""), email=data.get("e", ""),
        phone=data.get("p", ""), code_verified_at=int(data.get("vc", 0)) if data.get("vk") else 0,
        language=data.get("l", ""),
    )


def identifier_hash(secret, identifier):
    """What the host site computes on its server: hex HMAC-SHA256(hmac_secret, identifier)."""
    return hmac.new(secret.encode(), identifier.encode(), hashlib.sha256).hexdigest()


def identifier_hash_matches(secret, identifier, given):
    if not secret or not isinstance(given, str) or not given:
        return False
    return hmac.compare_digest(identifier_hash(secret, identifier), given.strip().lower())


def verified_identity(identifier):
    """The identity a verified identifier stands for.

    An email address is an `email` identity and a "+"-prefixed phone number a
    `phone` identity, so a shop that identifies its users that way joins the
    history they have on email and WhatsApp; anything else (a user id) is an
    `external` identity, as the API channel uses.
    """
    identifier = identifier.strip()
    if "@" in identifier:
        try:
            return EMAIL, normalise_email(identifier)
        except InvalidAddress:
            pass
    if identifier.startswith("+"):
        try:
            return PHONE, normalise_phone(identifier)
        except InvalidAddress:
            pass
    return EXTERNAL_KIND, identifier
