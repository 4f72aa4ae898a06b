"""Everything stored about one customer, for their LGPD access request: JSON, or CSV safe to open in a sheet."""
import csv
import io
import json

from django.core.serializers.json import DjangoJSONEncoder

from conversations.models import Attachment, CsatRating, Identity, Message, MergeSuggestion, Touchpoint

from .models import CustomerEvent, CustomerEventCounter, Journey, Order

# A cell starting with one of these runs as a formula in Excel, LibreOffice and Google Sheets.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "|")


def _people(customer):
    """The customer and those merged into them: one person's data."""
    return [customer.pk, *customer.merged_from.values_list("pk", flat=True)]


def collect(customer):
    people = _people(customer)
    journey = Journey.objects.filter(customer=customer).first()
    return {
        "customer": {"id": customer.pk, "name": customer.name, "attributes": customer.attributes,
                     "first_seen_at": customer.first_seen_at, "last_seen_at": customer.last_seen_at,
                     "merged_customers": people[1:]},
        "identities": list(Identity.objects.filter(customer_id__in=people)
                           .values("kind", "address", "verified", "created_at")),
        "messages": list(Message.objects.filter(conversation__customer_id__in=people)
                         .exclude(direction=Message.Direction.NOTE)
                         .order_by("created_at", "id")
                         .values("id", "direction", "channel__name", "identity__address", "text", "status",
                                 "created_at")),
        "attachments": list(Attachment.objects.filter(message__conversation__customer_id__in=people)
                            .exclude(message__direction=Message.Direction.NOTE)
                            .values("message_id", "filename", "content_type", "size", "created_at")),
        "page_views": list(Touchpoint.objects.filter(customer_id__in=people).values("url", "title", "viewed_at")),
        "ratings": list(CsatRating.objects.filter(cycle__conversation__customer_id__in=people)
                        .values("rating", "comment", "created_at")),
        "address_claims": list(MergeSuggestion.objects.filter(customer_id__in=people)
                               .values("kind", "address", "source", "created_at")),
        "events": list(CustomerEvent.objects.filter(customer_id__in=people).order_by("occurred_at", "id")
                       .values("name", "properties", "occurred_at", "received_at", "source", "event_id")),
        "event_counters": list(CustomerEventCounter.objects.filter(customer_id__in=people)
                               .values("name", "count", "first_at", "last_at")),
        "orders": [
            {"store": order.store, "external_id": order.external_id, "number": order.number, "status": order.status,
             "total": order.total, "currency": order.currency, "placed_at": order.placed_at,
             "paid_at": order.paid_at, "cancelled_at": order.cancelled_at, "refunded_at": order.refunded_at,
             "items": [{"sku": i.sku, "name": i.name, "quantity": i.quantity, "price": i.price}
                       for i in order.items.all()]}
            for order in Order.objects.filter(customer_id__in=people).prefetch_related("items")
        ],
        "journey": None if journey is None else {
            "stage": journey.stage, "stage_since": journey.stage_since, "stage_evidence": journey.stage_evidence,
            "profile_class": journey.profile_class, "profile_evidence": journey.profile_evidence, "rfm": journey.rfm,
        },
    }


def as_json(data):
    return json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)


def safe_cell(value):
    """A cell a spreadsheet shows as text, never runs: formula starts get a leading apostrophe."""
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        value = json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False)
    text = value.isoformat() if hasattr(value, "isoformat") else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def as_csv(data):
    """One row per stored fact: section, record number, field, value."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["section", "record", "field", "value"])
    for section, content in data.items():
        records = content if isinstance(content, list) else [content]
        for number, record in enumerate(records, start=1):
            for field, value in (record or {}).items():
                writer.writerow([section, number, field, safe_cell(value)])
    return "\ufeff" + out.getvalue()
