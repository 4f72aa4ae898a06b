"""Customer details and the identities that reach them."""
from django.db import IntegrityError, transaction

from ..addresses import InvalidAddress, normalise_address
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
            raise ActionError("This address belongs to another customer; merge the two customers instead.",
                              field="address")
        return existing
    try:
        with transaction.atomic():
            return Identity.objects.create(customer=customer, kind=kind, address=address, verified=verified)
    except IntegrityError:
        raise ActionError("This address was just added to another customer.", field="address") from None
