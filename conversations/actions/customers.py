"""Customer details and the identities that reach them."""
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from .. import events
from ..addresses import EMAIL, PHONE, InvalidAddress, normalise_address
from ..models import Identity
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


def _normalised_attribute(key, value):
    """An "email" or "phone" attribute is kept in its identity form, so duplicates can be found by it."""
    if key in (EMAIL, PHONE):
        try:
            return normalise_address(key, value)
        except InvalidAddress:
            return value
    return value


@transaction.atomic
def update_customer(customer, name=None, attributes=None):
    """Change what agents know of the customer: name, free attributes (strings)."""
    if name is not None:
        customer.name = name.strip()[:200]
    if attributes is not None:
        if not isinstance(attributes, dict) or len(attributes) > MAX_ATTRIBUTES:
            raise ActionError(_("At most %(max)d attributes.") % {"max": MAX_ATTRIBUTES}, field="attributes")
        customer.attributes = {str(key): _normalised_attribute(str(key), str(value)) for key, value in attributes.items()}
    customer.save(update_fields=["name", "attributes"])
    _announce(customer)
    return customer
