"""Customer details and the identities that reach them."""
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import attribute_rules, events
from ..addresses import EMAIL, PHONE, InvalidAddress, normalise_address
from ..models import Conversation, Customer, Identity, MergeSuggestion
from .errors import ActionError


@transaction.atomic
def add_identity(customer, kind, address, verified=False):
    """Attach an address to `customer` (an agent recording a known email, say).

    An address that already belongs to another customer is refused: joining
    two histories is a merge, which an agent confirms explicitly.
    """
    try:
        address = normalise_address(kind, address)
    except InvalidAddress as exc:
        raise ActionError(str(exc), field="address") from exc
    existing = Identity.objects.filter(kind=kind, address=address).first()
    if existing is not None:
        if existing.customer_id != customer.pk:
            raise ActionError(_("This address belongs to another customer; merge the two customers instead."),
                              field="address")
        return existing
    try:
        with transaction.atomic():
            identity = Identity.objects.create(customer=customer, kind=kind, address=address, verified=verified)
    except IntegrityError:
        raise ActionError(_("This address was just added to another customer."), field="address") from None
    _announce(customer)
    return identity


def _announce(customer):
    """The customer panel and the reply channels of their conversation have changed."""
    conversation = getattr(customer, "conversation", None)
    if conversation is not None:
        events.conversation_changed(conversation)


MAX_ATTRIBUTES = 50
MAX_ATTRIBUTE_KEY_LENGTH = 60
MAX_ATTRIBUTE_VALUE_LENGTH = 500


def clean_attributes(attributes, writer=attribute_rules.API, from_text=False):
    """Flat custom attributes (plan, order count...): string keys, scalar values, bounded sizes.

    Keys with a registered type are checked (and converted) by the rule book, for `writer`;
    `from_text` when every value was typed as text (the console's form)."""
    if not isinstance(attributes, dict):
        raise ActionError("Attributes must be an object.", field="attributes")
    if len(attributes) > MAX_ATTRIBUTES:
        raise ActionError(f"At most {MAX_ATTRIBUTES} attributes.", field="attributes")
    cleaned = {}
    for key, value in attributes.items():
        if not isinstance(key, str) or not key.strip() or len(key) > MAX_ATTRIBUTE_KEY_LENGTH:
            raise ActionError(f"An attribute name is 1 to {MAX_ATTRIBUTE_KEY_LENGTH} characters.", field="attributes")
        if value is not None and not isinstance(value, (str, int, float, bool)):
            raise ActionError(f"The attribute {key!r} must be text, a number or true/false.", field="attributes")
        if isinstance(value, str) and len(value) > MAX_ATTRIBUTE_VALUE_LENGTH:
            raise ActionError(f"The attribute {key!r} is too long.", field="attributes")
        cleaned[key.strip()] = value
    return attribute_rules.check(cleaned, writer, from_text)


def _normalised_attribute(key, value):
    """An "email" or "phone" attribute is kept in its identity form, so duplicates can be found by it."""
    if key in (EMAIL, PHONE) and isinstance(value, str):
        try:
            return normalise_address(key, value)
        except InvalidAddress:
            return value
    return value


@transaction.atomic
def update_customer(customer, name=None, attributes=None, from_text=False, language=None):
    """What an agent knows of the customer: the name, the language, and the whole set of attributes (replaced)."""
    if language is not None:
        if language and language not in dict(settings.LANGUAGES):
            raise ActionError(_("Unknown language."), field="language")
        customer.language = language
    if name is not None:
        customer.name = name.strip()[:200]
    if attributes is not None:
        customer.attributes = {key: _normalised_attribute(key, value) for key, value in
                               clean_attributes(attributes, attribute_rules.AGENT, from_text).items()}
    customer.save(update_fields=["name", "attributes", "language"])
    if attributes is not None:
        attribute_rules.stored(customer)
    _announce(customer)
    return customer


@transaction.atomic
def update_profile(customer, name="", attributes=None, writer=attribute_rules.WIDGET, language=""):
    """Fill in the name when the customer has none yet, merge custom attributes, note the language they use."""
    changed = []
    if language in dict(settings.LANGUAGES) and language != customer.language:
        customer.language = language
        changed.append("language")
    if name and not customer.name:
        customer.name = name[:200]
        changed.append("name")
    if attributes:
        merged = {**customer.attributes, **clean_attributes(attributes, writer)}
        if merged != customer.attributes:
            customer.attributes = merged
            changed.append("attributes")
    if changed:
        customer.save(update_fields=changed)
    if "attributes" in changed:
        attribute_rules.stored(customer)
    return customer


@transaction.atomic
def claim_address(customer, kind, address, source, channel=None):
    """An address the customer gave without proving it (typed into a form).

    A free address becomes a *claimed* identity of the customer, so agents
    can answer there; traffic that later arrives from the address itself is
    never theirs (see take_claimed_identity). An address of another customer
    never joins the two: it records a MergeSuggestion an agent decides on.
    Returns the identity or the suggestion.
    """
    try:
        address = normalise_address(kind, address)
    except InvalidAddress as exc:
        raise ActionError(str(exc), field="address") from exc
    existing = Identity.objects.filter(kind=kind, address=address).first()
    if existing is None:
        try:
            with transaction.atomic():
                return Identity.objects.create(customer=customer, kind=kind, address=address, verified=False,
                                               claimed=True)
        except IntegrityError:
            existing = Identity.objects.get(kind=kind, address=address)
    if existing.customer_id == customer.pk:
        return existing
    return _suggest(customer, existing.customer_id, kind, address, source, channel)


def _suggest(customer, candidate_id, kind, address, source, channel=None):
    suggestion, _created = MergeSuggestion.objects.get_or_create(
        customer=customer, candidate_id=candidate_id, kind=kind, address=address,
        defaults={"source": source, "channel": channel},
    )
    return suggestion


CLAIM_SUPERSEDED = "claim_superseded"


def take_claimed_identity(identity, channel, sender_name, sender_verified, now):
    """Traffic arrived from an address its customer only claimed: the address's owner gets it.

    Called by ingest inside its transaction. The identity moves to a new
    customer (with a conversation of the channel's team; no team when a store's order proved the
    address, `channel` None) and the claimant is
    left a MergeSuggestion, so an agent can still join the two when they are
    one person. Returns (identity, True when a new customer was made).
    """
    identity = Identity.objects.select_for_update().select_related("customer").get(pk=identity.pk)
    if not identity.claimed:  # a concurrent first message took it meanwhile
        return identity, False
    claimant = identity.customer
    owner = Customer.objects.create(name=sender_name, first_seen_at=now, last_seen_at=now)
    Conversation.objects.create(customer=owner, team=channel.team if channel else None, created_at=now,
                                updated_at=now)
    identity.customer, identity.claimed, identity.verified = owner, False, sender_verified
    identity.save(update_fields=["customer", "claimed", "verified"])
    _suggest(claimant, owner.pk, identity.kind, identity.address, CLAIM_SUPERSEDED, channel)
    _announce(claimant)
    return identity, True


@transaction.atomic
def prove_address(kind, address, claimant=None, create=False, prover=None):
    """`claimant` proved they hold `address` (a one-time code typed back, or an HMAC-signed identity).

    Their own claim becomes a verified identity; someone else's mere claim
    passes to them; an address nobody has joins them when `create`. An
    address that already belongs to another customer stays there: the
    proven visitor writes into that customer's conversation from now on.
    `prover`, the identity the proof came through (the visitor's browser),
    is verified too: its messages are the same person's.
    Returns the identity, or None when nothing holds the address.
    """
    if prover is not None and not prover.verified:
        prover.verified = True
        prover.save(update_fields=["verified"])
    identity = Identity.objects.select_for_update().filter(kind=kind, address=address).first()
    if identity is None:
        if claimant is None or not create:
            return None
        try:
            with transaction.atomic():
                identity = Identity.objects.create(customer=claimant, kind=kind, address=address, verified=True)
        except IntegrityError:
            return Identity.objects.get(kind=kind, address=address)
        _announce(claimant)
        return identity
    if identity.claimed and claimant is not None:
        previous = identity.customer_id
        identity.customer, identity.claimed, identity.verified = claimant, False, True
        identity.save(update_fields=["customer", "claimed", "verified"])
        if previous != claimant.pk:
            _suggest(Customer.objects.get(pk=previous), claimant.pk, kind, address, CLAIM_SUPERSEDED)
        _announce(claimant)
    return identity


@transaction.atomic
def dismiss_merge_suggestion(suggestion, actor):
    suggestion = MergeSuggestion.objects.select_for_update().get(pk=suggestion.pk)
    if suggestion.status == MergeSuggestion.Status.PENDING:
        suggestion.status = MergeSuggestion.Status.DISMISSED
        suggestion.decided_by, suggestion.decided_at = actor, timezone.now()
        suggestion.save(update_fields=["status", "decided_by", "decided_at"])
    return suggestion
