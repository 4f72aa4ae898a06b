"""Proving an address by a one-time code: sent to the address through the reply path, typed back by its holder.

The code goes out as an outbound message of the conversation the address
belongs to (so delivery, retries, statuses and the team's channels hold as
for any reply); only its hash is stored. Codes expire, wrong guesses are
counted and capped, and how many codes one visitor or one address may get
is limited, so the flow can neither guess codes nor flood someone's inbox.
"""
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import override

from ..channel_kinds import rules_for
from ..models import AddressVerification, Channel, Identity
from . import customers
from .errors import ActionError
from .replies import unavailable_reason, send_reply

CODE_DIGITS = 6
SALT = "omnidesk.address-verification"


@dataclass(frozen=True)
class SentCode:
    verification: AddressVerification
    channel: Channel


def _hash(code):
    return salted_hmac(SALT, code, algorithm="sha256").hexdigest()


def _delivery_channel(identity, team_id, preferred_id=None):
    """An active channel of the team (or the preferred one) that can send to `identity` now."""
    candidates = Channel.objects.filter(active=True).order_by("created_at")
    candidates = candidates.filter(pk=preferred_id) if preferred_id else candidates.filter(team_id=team_id)
    for channel in candidates:
        rules = rules_for(channel.kind)
        if not rules.reaches_any_identity or rules.identity_kinds is None or identity.kind not in rules.identity_kinds:
            continue
        if not rules.reply_window_hours or not unavailable_reason(identity.customer, channel):
            return channel
    return None


def _check_quota(visitor_id, kind, address, now):
    hour_ago = now - timedelta(hours=1)
    recent = AddressVerification.objects.filter(created_at__gte=hour_ago)
    if recent.filter(visitor_id=visitor_id).count() >= settings.VERIFICATION_CODES_PER_HOUR:
        raise ActionError(_("Too many codes were asked for; try again in an hour."), field="code")
    if recent.filter(kind=kind, address=address).count() >= settings.VERIFICATION_CODES_PER_HOUR:
        raise ActionError(_("Too many codes were sent to this address; try again in an hour."), field="code")
    last = recent.filter(visitor_id=visitor_id).order_by("-created_at").first()
    if last is not None and now - last.created_at < timedelta(seconds=settings.VERIFICATION_CODE_RESEND_SECONDS):
        raise ActionError(_("A code was just sent; wait a moment before asking for another."), field="code")


@transaction.atomic
def send_code(claimant, visitor_id, source_channel, kind, address, language="en"):
    """Send a new one-time code to `address`, which `claimant` (the visitor's customer) says is theirs.

    The claim is recorded as claim_address records any (a claimed identity, or a merge suggestion when the
    address is another customer's); the code then goes to the address, in its own customer's conversation.
    """
    now = timezone.now()
    _check_quota(visitor_id, kind, address, now)
    customers.claim_address(claimant, kind, address, source="webchat_verification", channel=source_channel)
    identity = Identity.objects.select_related("customer__conversation").get(kind=kind, address=address)
    channel = _delivery_channel(identity, source_channel.team_id, source_channel.config.get("offline_email_channel")
                                if kind == "email" else None)
    if channel is None:
        raise ActionError(_("We cannot send a code to this address right now."), field="address")
    code = f"{secrets.randbelow(10 ** CODE_DIGITS):0{CODE_DIGITS}d}"
    verification = AddressVerification.objects.create(
        channel=source_channel, visitor_id=visitor_id, kind=kind, address=address, code_hash=_hash(code),
        created_at=now, expires_at=now + timedelta(seconds=settings.VERIFICATION_CODE_MAX_AGE_SECONDS),
    )
    minutes = settings.VERIFICATION_CODE_MAX_AGE_SECONDS // 60
    with override(language):
        text = _("Your verification code is %(code)s. It expires in %(minutes)d minutes. If you did not ask "
                 "for it, ignore this message.") % {"code": code, "minutes": minutes}
    send_reply(identity.customer.conversation, None, text, channel=channel, to=identity, answers=False,
               metadata={"verification_code": verification.pk})
    return SentCode(verification, channel)


class WrongCode(ActionError):
    """The code typed does not match (the attempt was counted)."""


def confirm_code(prover, visitor_id, code):
    """The visitor typed `code`: the (kind, address) it proves for them, or ActionError.

    `prover` is the visitor's own identity (their browser); its customer is the claimant.

    Each try is counted in a transaction of its own, so a wrong guess is never rolled back with the error.
    """
    code = str(code or "").strip()
    now = timezone.now()
    with transaction.atomic():
        verification = (
            AddressVerification.objects.select_for_update()
            .filter(visitor_id=visitor_id, verified_at__isnull=True, expires_at__gt=now)
            .order_by("-created_at").first()
        )
        if verification is None:
            raise ActionError(_("There is no code waiting (or it expired); ask for a new one."), field="code")
        if verification.attempts >= settings.VERIFICATION_MAX_ATTEMPTS:
            raise ActionError(_("Too many wrong codes; ask for a new one."), field="code")
        verification.attempts += 1
        matches = len(code) == CODE_DIGITS and hmac.compare_digest(verification.code_hash, _hash(code))
        if matches:
            verification.verified_at = now
        verification.save(update_fields=["attempts", "verified_at"])
    if not matches:
        left = settings.VERIFICATION_MAX_ATTEMPTS - verification.attempts
        raise WrongCode(_("This code is not right (%(left)d tries left).") % {"left": left}, field="code")
    customers.prove_address(verification.kind, verification.address, claimant=prover.customer, create=True,
                            prover=prover)
    return verification.kind, verification.address
