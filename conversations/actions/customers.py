"""Customer details and the identities that reach them."""
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import events
from ..addresses import EMAIL, PHONE, InvalidAddress, normalise_address
from ..models import Identity, MergeSuggestion
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
        events.emit(events.CONVERSATION_UPDATED, conversation, events.conversation_audience(conversation))


MAX_ATTRIBUTES = 50
MAX_ATTRIBUTE_KEY_LENGTH = 60
MAX_ATTRIBUTE_VALUE_LENGTH = 500


def clean_attributes(attributes):
    """Flat custom attributes (plan, order count...): string keys, scalar values, bounded sizes."""
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
    return cleaned


def _normalised_attribute(key, value):
    """An "email" or "phone" attribute is kept in its identity form, so duplicates can be found by it."""
    if key in (EMAIL, PHONE) and isinstance(value, str):
        try:
            return normalise_address(key, value)
        except InvalidAddress:
            return value
    return value


@transaction.atomic
def update_customer(customer, name=None, attributes=None, language=None):
    """What an agent knows of the customer: the name, the language, and the whole set of attributes (replaced)."""
    if language is not None:
        if language and language not in dict(settings.LANGUAGES):
            raise ActionError(_("Unknown language."), field="language")
        customer.language = language
    if name is not None:
        customer.name = name.strip()[:200]
    if attributes is not None:
        customer.attributes = {key: _normalised_attribute(key, value)
                               for key, value in clean_attributes(attributes).items()}
    customer.save(update_fields=["name", "attributes", "language"])
    _announce(customer)
    return customer


@transaction.atomic
def update_profile(customer, name="", attributes=None, language=""):
    """Fill in the name when the customer has none yet, merge custom attributes, note the language they use."""
    changed = []
    if language in dict(settings.LANGUAGES) and language != customer.language:
        customer.language = language
        changed.append("language")
    if name and not customer.name:
        customer.name = name[:200]
        changed.append("name")
    if attributes:
        merged = {**customer.attributes, **clean_attributes(attributes)}
        if merged != customer.attributes:
            customer.attributes = merged
            changed.append("attributes")
    if changed:
        customer.save(update_fields=changed)
    return customer


@transaction.atomic
def claim_address(customer, kind, address, source, channel=None):
    """An address the customer gave without proving it (typed into a form).

    A free address becomes an unverified identity of the customer, so agents
    can answer there. An address of another customer never joins the two:
    it records a MergeSuggestion an agent decides on. Returns the identity or
    the suggestion.
    """
    try:
        address = normalise_address(kind, address)
    except InvalidAddress as exc:
        raise ActionError(str(exc), field="address") from exc
    existing = Identity.objects.filter(kind=kind, address=address).first()
    if existing is None:
        try:
            with transaction.atomic():
                return Identity.objects.create(customer=customer, kind=kind, address=address, verified=False)
        except IntegrityError:
            existing = Identity.objects.get(kind=kind, address=address)
    if existing.customer_id == customer.pk:
        return existing
    suggestion, _created = MergeSuggestion.objects.get_or_create(
        customer=customer, candidate_id=existing.customer_id, kind=kind, address=address,
        defaults={"source": source, "channel": channel},
    )
    return suggestion


@transaction.atomic
def dismiss_merge_suggestion(suggestion, actor):
    suggestion = MergeSuggestion.objects.select_for_update().get(pk=suggestion.pk)
    if suggestion.status == MergeSuggestion.Status.PENDING:
        suggestion.status = MergeSuggestion.Status.DISMISSED
        suggestion.decided_by, suggestion.decided_at = actor, timezone.now()
        suggestion.save(update_fields=["status", "decided_by", "decided_at"])
    return suggestion
