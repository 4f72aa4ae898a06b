"""Segment condition trees, checked and compiled into ONE parameterised ORM query over customers.

A tree is a node: {"all": [nodes]}, {"any": [nodes]}, {"not": node} or a leaf. Grouping is explicit,
so "inbox A OR inbox B, AND open" is {"all": [{"any": [A, B]}, open]} and can never mean
"A OR (B AND open)" the way a flat left-to-right string does (Chatwoot #8877). Every value travels
as a query parameter; no SQL is ever assembled from text.

Leaves:
  {"attribute": key, "op": eq|ne|gt|gte|lt|lte|contains|present|absent, "value": v}
  {"identity": "email"|"phone"|...}                 has an address of that kind
  {"channel": "whatsapp"|"sms"|"email"|"webchat"|kind}  has written on a channel of that family
  {"inbox": "<channel uuid>"}                         has written on that channel
  {"status": "open"|"pending"|"resolved"|...}        the conversation's status
  {"label": "vip"}                                    the conversation has the label
  {"stage": ["lead", ...]}  {"profile_class": [...]}
  {"rfm": {"recency": {"gte": 4}, "frequency": {...}, "monetary": {...}}}
  {"last_contact": {"within_days": 30}} or {"last_contact": {"before_days": 90}}
  {"csat": {"gte": 4}}                                the latest rating
  {"event": "Product Viewed", "count": {"gte": 2}, "within_days": 7}
  {"orders": {"count": {"gte": 2}}} {"orders": {"revenue": {"gte": "500"}}} {"orders": {"last_within_days": 30}}
  {"consent": {"channel": "whatsapp", "purpose": "marketing"}}   currently granted
  {"segment": id}                                     a member of that segment
"""
import uuid
from datetime import timedelta
from decimal import Decimal, InvalidOperation

from django.db.models import (
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.db.models.lookups import (
    Exact,
    GreaterThan,
    GreaterThanOrEqual,
    LessThan,
    LessThanOrEqual,
)
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from conversations.models import Channel, Conversation, CsatRating, Identity, Message
from customers.models import (
    AttributeDefinition,
    AttributeValue,
    CustomerEvent,
    CustomerEventCounter,
    Journey,
)

from .families import kinds_of

MAX_DEPTH = 6
MAX_LEAVES = 50
COMPARISONS = {"eq": "exact", "gt": "gt", "gte": "gte", "lt": "lt", "lte": "lte"}
ATTRIBUTE_OPS = {"eq", "ne", "gt", "gte", "lt", "lte", "contains", "present", "absent"}


class SegmentError(ValueError):
    def __init__(self, message, path="definition"):
        super().__init__(message)
        self.message = message
        self.path = path


def _comparison(spec, path, parse=int):
    """{"gte": 2} -> ("gte", 2): exactly one operator with a value of the right type."""
    if not isinstance(spec, dict) or len(spec) != 1:
        raise SegmentError(_("A comparison is one of eq, gt, gte, lt, lte with a value, e.g. {\"gte\": 2}."), path)
    (op, value), = spec.items()
    if op not in COMPARISONS:
        raise SegmentError(_("Unknown comparison %(op)s.") % {"op": op}, path)
    try:
        if isinstance(value, bool):
            raise ValueError
        value = parse(value)
    except (TypeError, ValueError, InvalidOperation):
        raise SegmentError(_("%(value)r is not a valid number here.") % {"value": value}, path) from None
    return COMPARISONS[op], value


def _days(value, path):
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= 3650:
        raise SegmentError(_("A number of days is a whole number from 1 to 3650."), path)
    return value


def _names(value, choices, path):
    values = [value] if isinstance(value, str) else value
    if not isinstance(values, list) or not values or any(v not in choices for v in values):
        raise SegmentError(_("Choose among: %(choices)s.") % {"choices": ", ".join(sorted(choices))}, path)
    return values


_LOOKUPS = {"exact": Exact, "gt": GreaterThan, "gte": GreaterThanOrEqual, "lt": LessThan, "lte": LessThanOrEqual}


def _compare(expression, lookup, value):
    if isinstance(expression, str):
        expression = F(expression)
    return Q(_LOOKUPS[lookup](expression, Value(value)))


def _uuid(value, path):
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise SegmentError(_("%(value)r is not a channel id.") % {"value": value}, path) from None


def _customer(model_field="customer"):
    return {model_field: OuterRef("pk")}


class Compiler:
    def __init__(self, now=None):
        self.now = now or timezone.now()
        self.leaves = 0

    def compile(self, node, path="definition", depth=0):
        if depth > MAX_DEPTH:
            raise SegmentError(_("Conditions nest at most %(max)d levels.") % {"max": MAX_DEPTH}, path)
        if not isinstance(node, dict) or not node:
            raise SegmentError(_("A condition is an object."), path)
        if "all" in node or "any" in node:
            key = "all" if "all" in node else "any"
            children = node[key]
            if len(node) != 1 or not isinstance(children, list) or not children:
                raise SegmentError(_("\"%(key)s\" holds a non-empty list of conditions.") % {"key": key}, path)
            compiled = [self.compile(child, f"{path}.{key}[{i}]", depth + 1) for i, child in enumerate(children)]
            result = compiled[0]
            for q in compiled[1:]:
                result = (result & q) if key == "all" else (result | q)
            return result
        if "not" in node:
            if len(node) != 1:
                raise SegmentError(_("\"not\" holds one condition."), path)
            return ~self.compile(node["not"], f"{path}.not", depth + 1)
        self.leaves += 1
        if self.leaves > MAX_LEAVES:
            raise SegmentError(_("A segment has at most %(max)d conditions.") % {"max": MAX_LEAVES}, path)
        for key, method in LEAVES.items():
            if key in node:
                return method(self, node, path)
        raise SegmentError(_("Unknown condition %(keys)s.") % {"keys": ", ".join(sorted(node))}, path)

    # --- leaves -----------------------------------------------------------------------------------
    def attribute(self, node, path):
        definition = AttributeDefinition.objects.filter(key=node.get("attribute")).first()
        if definition is None:
            raise SegmentError(_("No typed attribute %(key)r is registered.") % {"key": node.get("attribute")}, path)
        op = node.get("op", "eq")
        if op not in ATTRIBUTE_OPS:
            raise SegmentError(_("Unknown operator %(op)s.") % {"op": op}, path)
        values = AttributeValue.objects.filter(definition=definition, **_customer())
        T = AttributeDefinition.Type
        column = {T.NUMBER: "number_value", T.DECIMAL: "number_value", T.CURRENCY: "number_value",
                  T.DATE: "date_value", T.BOOLEAN: "bool_value"}.get(definition.type, "text_value")
        if op in ("present", "absent"):
            exists = Exists(values.filter(**{f"{column}__isnull": False}))
            return Q(exists) if op == "present" else ~Q(exists)
        value = self._attribute_value(definition, column, node.get("value"), op, path)
        if op == "contains":
            if column != "text_value":
                raise SegmentError(_("\"contains\" works on text attributes."), path)
            return Q(Exists(values.filter(text_value__icontains=value)))
        if op == "ne":
            return ~Q(Exists(values.filter(**{column: value})))
        if op != "eq" and column in ("text_value", "bool_value"):
            raise SegmentError(_("Only numbers and dates are compared with %(op)s.") % {"op": op}, path)
        return Q(Exists(values.filter(**{f"{column}__{COMPARISONS[op]}": value})))

    @staticmethod
    def _attribute_value(definition, column, value, op, path):
        try:
            if column == "number_value":
                if isinstance(value, bool):
                    raise InvalidOperation
                return Decimal(str(value))
            if column == "date_value":
                parsed = parse_date(str(value))
                if parsed is None:
                    raise ValueError
                return parsed
            if column == "bool_value":
                if not isinstance(value, bool):
                    raise ValueError
                return value
        except (ValueError, InvalidOperation):
            raise SegmentError(_("%(value)r is not a valid %(type)s.") % {
                "value": value, "type": definition.get_type_display()}, path) from None
        if not isinstance(value, str) or not value:
            raise SegmentError(_("Compare text with a non-empty text."), path)
        return value

    def identity(self, node, path):
        kind = node["identity"]
        if not isinstance(kind, str) or not kind:
            raise SegmentError(_("An identity condition names a kind (email, phone...)."), path)
        return Q(Exists(Identity.objects.filter(kind=kind, **_customer())))

    def channel(self, node, path):
        family = node["channel"]
        if not isinstance(family, str) or not family:
            raise SegmentError(_("A channel condition names a channel (whatsapp, sms, email, webchat...)."), path)
        return Q(Exists(Message.objects.filter(
            conversation__customer=OuterRef("pk"), direction=Message.Direction.INBOUND,
            channel__kind__in=kinds_of(family))))

    def inbox(self, node, path):
        channel = Channel.objects.filter(pk=_uuid(node["inbox"], path)).first()
        if channel is None:
            raise SegmentError(_("No channel %(id)s.") % {"id": node["inbox"]}, path)
        return Q(Exists(Message.objects.filter(
            conversation__customer=OuterRef("pk"), direction=Message.Direction.INBOUND, channel=channel)))

    def status(self, node, path):
        status = _names(node["status"], set(Conversation.Status.values), path)
        return Q(conversation__status__in=status)

    def label(self, node, path):
        if not isinstance(node["label"], str) or not node["label"]:
            raise SegmentError(_("A label condition names a label."), path)
        return Q(Exists(Conversation.labels.through.objects.filter(
            conversation__customer=OuterRef("pk"), label__name=node["label"])))

    def stage(self, node, path):
        return Q(journey__stage__in=_names(node["stage"], set(Journey.Stage.values), path))

    def profile_class(self, node, path):
        choices = set(Journey.ProfileClass.values) - {""}
        return Q(journey__profile_class__in=_names(node["profile_class"], choices, path))

    def rfm(self, node, path):
        spec = node["rfm"]
        if not isinstance(spec, dict) or not spec or set(spec) - {"recency", "frequency", "monetary"}:
            raise SegmentError(_("RFM compares recency, frequency and/or monetary (1-5)."), path)
        q = Q()
        for part, comparison in spec.items():
            lookup, value = _comparison(comparison, f"{path}.rfm.{part}")
            q &= Q(**{f"journey__rfm_{part}__{lookup}": value})
        return q

    def last_contact(self, node, path):
        spec = node["last_contact"]
        if isinstance(spec, dict) and set(spec) == {"within_days"}:
            return Q(conversation__last_message_at__gte=self.now - timedelta(days=_days(spec["within_days"], path)))
        if isinstance(spec, dict) and set(spec) == {"before_days"}:
            return Q(conversation__last_message_at__lt=self.now - timedelta(days=_days(spec["before_days"], path)))
        raise SegmentError(_("last_contact is {\"within_days\": N} or {\"before_days\": N}."), path)

    def csat(self, node, path):
        lookup, value = _comparison(node["csat"], path)
        latest = CsatRating.objects.filter(cycle__conversation__customer=OuterRef("pk")).order_by(
            "-created_at", "-id").values("rating")[:1]
        return _compare(Subquery(latest, output_field=IntegerField()), lookup, value)

    def event(self, node, path):
        name = node["event"]
        if not isinstance(name, str) or not name:
            raise SegmentError(_("An event condition names the event."), path)
        lookup, value = _comparison(node.get("count", {"gte": 1}), f"{path}.count")
        if "within_days" in node:
            since = self.now - timedelta(days=_days(node["within_days"], f"{path}.within_days"))
            counted = (CustomerEvent.objects.filter(name=name, occurred_at__gte=since, occurred_at__lte=self.now,
                                                    **_customer())
                       .order_by().values("customer").annotate(n=Count("id")).values("n")[:1])
        else:
            # All time: the per-name counter, never a scan of the events.
            counted = CustomerEventCounter.objects.filter(name=name, **_customer()).values("count")[:1]
        # Nobody has a row for what they never did: no row counts as zero.
        return _compare(Coalesce(Subquery(counted, output_field=IntegerField()), 0), lookup, value)

    def orders(self, node, path):
        spec = node["orders"]
        if not isinstance(spec, dict) or len(spec) != 1:
            raise SegmentError(_("orders is {\"count\": ...}, {\"revenue\": ...} or {\"last_within_days\": N}."), path)
        (key, value), = spec.items()
        if key == "count":
            lookup, number = _comparison(value, path)
            return _compare(Coalesce("journey__paid_orders", 0), lookup, number)
        if key == "revenue":
            lookup, amount = _comparison(value, path, parse=lambda v: Decimal(str(v)))
            return _compare(Coalesce("journey__revenue", Value(Decimal("0"))), lookup, amount)
        if key == "last_within_days":
            return Q(journey__last_order_at__gte=self.now - timedelta(days=_days(value, path)))
        raise SegmentError(_("orders is {\"count\": ...}, {\"revenue\": ...} or {\"last_within_days\": N}."), path)

    def consent(self, node, path):
        from .actions.consent import granted_for_customer
        from .models import Consent

        spec = node["consent"]
        if not isinstance(spec, dict) or not isinstance(spec.get("channel"), str):
            raise SegmentError(_("consent is {\"channel\": ..., \"purpose\": \"marketing\"}."), path)
        purpose = spec.get("purpose", Consent.Purpose.MARKETING)
        if purpose not in Consent.Purpose.values:
            raise SegmentError(_("The purpose is service or marketing."), path)
        return Q(granted_for_customer(OuterRef("pk"), spec["channel"], purpose))

    def segment(self, node, path):
        from .models import Segment, SegmentMember

        segment_id = node["segment"]
        if isinstance(segment_id, bool) or not isinstance(segment_id, int) or not Segment.objects.filter(
                pk=segment_id).exists():
            raise SegmentError(_("No segment %(id)s.") % {"id": segment_id}, path)
        return Q(Exists(SegmentMember.objects.filter(segment_id=segment_id, **_customer())))


LEAVES = {
    "attribute": Compiler.attribute, "identity": Compiler.identity, "channel": Compiler.channel,
    "inbox": Compiler.inbox, "status": Compiler.status, "label": Compiler.label, "stage": Compiler.stage,
    "profile_class": Compiler.profile_class, "rfm": Compiler.rfm, "last_contact": Compiler.last_contact,
    "csat": Compiler.csat, "event": Compiler.event, "orders": Compiler.orders, "consent": Compiler.consent,
    "segment": Compiler.segment,
}


def compile_definition(definition, now=None):
    """The Q of customers matching `definition`; raises SegmentError (with a path) when it is not valid."""
    return Compiler(now).compile(definition)


def matching_customers(definition, now=None):
    from conversations.models import Customer

    return Customer.objects.filter(merged_into=None).filter(compile_definition(definition, now))
