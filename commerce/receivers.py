"""The store layer hears the customer layer: an erased customer's raw deliveries go too."""
from .models import StoreDelivery

SCAN_CHUNK = 500


def forget_deliveries(sender, customer_ids, addresses, **kwargs):
    """Delete every stored delivery body that names one of the erased person's addresses."""
    needles = [address.lower().encode() for address in addresses if len(address) >= 5]
    if not needles:
        return
    doomed = [pk for pk, body in StoreDelivery.objects.values_list("pk", "body").iterator(chunk_size=SCAN_CHUNK)
              if any(needle in bytes(body).lower() for needle in needles)]
    StoreDelivery.objects.filter(pk__in=doomed).delete()
