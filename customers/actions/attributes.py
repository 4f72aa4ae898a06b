"""Typed attributes: the registry, the checks every write path goes through, and the typed copies.

Values keep living in `Customer.attributes` (JSON, what the panel and the API
show, free-form keys included); a registered key's value is checked on every
path (console, API, widget) and copied into `AttributeValue` for segments.
"""
import re
from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from conversations import attribute_rules, events
from conversations.actions.customers import clean_attributes
from conversations.actions.errors import ActionError
from conversations.models import Conversation, Customer

from ..models import AttributeDefinition, AttributeValue
from ..signals import customers_changed

MAX_OPTIONS = 100
MAX_OPTION_LENGTH = 100
MAX_TEXT_LENGTH = 500
CURRENCY_CODE = re.compile(r"^[A-Z]{3}$")
DECIMAL_TEXT = re.compile(r"^-?\d{1,14}(\.\d{1,6})?$")
INTEGER_TEXT = re.compile(r"^-?\d{1,14}$")
TRUE_TEXTS = {"true", "yes", "1", "sim", "sí", "si"}
FALSE_TEXTS = {"false", "no", "0", "não", "nao"}
# Keys the domain gives a meaning of its own: an "email" attribute is kept in its identity form.
RESERVED_KEYS = {"email", "phone", "name"}
KEY_FORMAT = re.compile(r"^[a-z][a-z0-9_]{0,59}$")
WRITER_FIELDS = {
    attribute_rules.AGENT: "writable_by_agents",
    attribute_rules.API: "writable_by_api",
    attribute_rules.WIDGET: "writable_by_widget",
}


def _refuse(key, message):
    raise ActionError(f"{key}: {message}", field="attributes")


def _number(definition, value, from_text):
    if isinstance(value, bool):
        _refuse(definition.key, _("must be a whole number."))
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if from_text and isinstance(value, str) and INTEGER_TEXT.match(value.strip()):
        return int(value.strip())
    _refuse(definition.key, _("must be a whole number."))


def _decimal(definition, value, from_text):
    """A decimal or money value, kept as text ("19.90") so no float rounding creeps in."""
    if isinstance(value, bool):
        _refuse(definition.key, _("must be a number."))
    if isinstance(value, (int, float)):
        value = repr(value) if isinstance(value, float) else str(value)
    elif isinstance(value, str):
        value = value.strip()
        if from_text:
            value = value.replace(",", ".")
    else:
        _refuse(definition.key, _("must be a number."))
    if not DECIMAL_TEXT.match(value):
        _refuse(definition.key, _("must be a number with at most 6 decimals."))
    return str(Decimal(value))


def _boolean(definition, value, from_text):
    if isinstance(value, bool):
        return value
    if from_text and isinstance(value, str):
        text = value.strip().lower()
        if text in TRUE_TEXTS:
            return True
        if text in FALSE_TEXTS:
            return False
    _refuse(definition.key, _("must be true or false."))


def _date(definition, value, from_text):
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip()).isoformat()
        except ValueError:
            pass
    _refuse(definition.key, _("must be a date written YYYY-MM-DD."))


def _text(definition, value, from_text):
    if isinstance(value, str) and len(value) <= MAX_TEXT_LENGTH:
        return value
    if from_text or isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)[:MAX_TEXT_LENGTH]
    _refuse(definition.key, _("must be text."))


def _choice(definition, value, from_text):
    if isinstance(value, str) and value.strip() in definition.options:
        return value.strip()
    _refuse(definition.key, _("must be one of: %(options)s.") % {"options": ", ".join(definition.options)})


CONVERTERS = {
    AttributeDefinition.Type.TEXT: _text,
    AttributeDefinition.Type.NUMBER: _number,
    AttributeDefinition.Type.DECIMAL: _decimal,
    AttributeDefinition.Type.CURRENCY: _decimal,
    AttributeDefinition.Type.BOOLEAN: _boolean,
    AttributeDefinition.Type.DATE: _date,
    AttributeDefinition.Type.LIST: _choice,
}


def convert(definition, value, from_text=False):
    """`value` in the JSON form stored for `definition`'s type, or an ActionError saying what is wrong."""
    return CONVERTERS[definition.type](definition, value, from_text)


class RuleBook:
    """What the domain calls (conversations/attribute_rules.py) on every write of attributes."""

    def check(self, attributes, writer, from_text):
        definitions = {d.key: d for d in AttributeDefinition.objects.filter(key__in=list(attributes))}
        checked = {}
        for key, value in attributes.items():
            definition = definitions.get(key)
            if definition is None:
                checked[key] = value
                continue
            if not getattr(definition, WRITER_FIELDS[writer]):
                _refuse(key, _("cannot be set from here."))
            if value is None or (from_text and value == ""):
                # Explicit null (or an emptied line in the console) removes the value.
                checked[key] = None
                continue
            checked[key] = convert(definition, value, from_text)
        return checked

    def stored(self, customer):
        sync_typed_values(customer)
        announce_attributes_changed(customer.pk)


def announce_attributes_changed(customer_id):
    """Segments on attributes follow a customer's new values once they are committed."""
    transaction.on_commit(lambda: customers_changed.send(sender=AttributeValue, customer_ids=[customer_id]))


RULE_BOOK = RuleBook()


def _columns(definition, value):
    columns = {"text_value": None, "number_value": None, "date_value": None, "bool_value": None}
    kind = definition.type
    if kind in (AttributeDefinition.Type.NUMBER, AttributeDefinition.Type.DECIMAL, AttributeDefinition.Type.CURRENCY):
        columns["number_value"] = Decimal(str(value))
    elif kind == AttributeDefinition.Type.BOOLEAN:
        columns["bool_value"] = value
    elif kind == AttributeDefinition.Type.DATE:
        columns["date_value"] = date.fromisoformat(value)
    else:
        columns["text_value"] = value
    return columns


def sync_typed_values(customer):
    """Make the typed copies match `customer.attributes`: one row per registered key with a value."""
    attributes = customer.attributes or {}
    definitions = list(AttributeDefinition.objects.filter(key__in=[k for k, v in attributes.items() if v is not None]))
    now = timezone.now()
    kept = []
    for definition in definitions:
        try:
            columns = _columns(definition, attributes[definition.key])
        except (ValueError, TypeError, InvalidOperation):
            # A value stored before the key was registered with another type: shown, not copied.
            continue
        AttributeValue.objects.update_or_create(customer=customer, definition=definition,
                                                defaults={**columns, "updated_at": now})
        kept.append(definition.pk)
    AttributeValue.objects.filter(customer=customer).exclude(definition_id__in=kept).delete()


def _clean_definition(key, label, type, options, currency):
    if not KEY_FORMAT.match(key or ""):
        raise ActionError(_("A key is lower-case letters, digits and _, starting with a letter."), field="key")
    if key in RESERVED_KEYS:
        raise ActionError(_("This key is reserved."), field="key")
    if type not in AttributeDefinition.Type.values:
        raise ActionError(_("Unknown type."), field="type")
    label = (label or "").strip()[:120] or key
    options = list(options or [])
    if type == AttributeDefinition.Type.LIST:
        if not options or len(options) > MAX_OPTIONS or not all(
                isinstance(option, str) and 0 < len(option.strip()) <= MAX_OPTION_LENGTH for option in options):
            raise ActionError(_("A list needs 1 to %(count)s options of text.") % {"count": MAX_OPTIONS},
                              field="options")
        options = list(dict.fromkeys(option.strip() for option in options))
    elif options:
        raise ActionError(_("Only a list has options."), field="options")
    currency = (currency or "").strip().upper()
    if type == AttributeDefinition.Type.CURRENCY and not CURRENCY_CODE.match(currency):
        raise ActionError(_("A money attribute needs a currency code such as BRL."), field="currency")
    if type != AttributeDefinition.Type.CURRENCY:
        currency = ""
    return key, label, options, currency


@transaction.atomic
def define_attribute(key, type, label="", options=(), currency="", writable_by_agents=True, writable_by_api=True,
                     writable_by_widget=False):
    """Register a typed attribute. Values stored under its key before stay shown as they are; those that fit
    the type are copied into typed values in the background (later writes are checked)."""
    key, label, options, currency = _clean_definition(key, label, type, options, currency)
    if AttributeDefinition.objects.filter(key=key).exists():
        raise ActionError(_("This attribute is already defined."), field="key")
    definition = AttributeDefinition(key=key, label=label, type=type, options=options, currency=currency,
                                     writable_by_agents=writable_by_agents, writable_by_api=writable_by_api,
                                     writable_by_widget=writable_by_widget)
    definition.save()
    transaction.on_commit(lambda: copy_existing_values_later(definition.pk))
    return definition


def copy_existing_values_later(definition_id):
    from ..tasks import copy_existing_values

    copy_existing_values.delay(definition_id)


def copy_existing_values(definition):
    """Typed copies of the values customers already had under a newly registered key; returns how many."""
    copied = 0
    for customer in Customer.objects.filter(attributes__has_key=definition.key).iterator(chunk_size=500):
        sync_typed_values(customer)
        copied += 1
    return copied


@transaction.atomic
def update_definition(definition, label=None, options=None, writable_by_agents=None, writable_by_api=None,
                      writable_by_widget=None):
    """Label, list options and writers may change; the key and type stay (values were checked against them)."""
    definition = AttributeDefinition.objects.select_for_update().get(pk=definition.pk)
    _key, label, options, _currency = _clean_definition(
        definition.key, definition.label if label is None else label, definition.type,
        definition.options if options is None else options, definition.currency)
    definition.label, definition.options = label, options
    for field, value in (("writable_by_agents", writable_by_agents), ("writable_by_api", writable_by_api),
                         ("writable_by_widget", writable_by_widget)):
        if value is not None:
            setattr(definition, field, value)
    definition.save()
    return definition


@transaction.atomic
def set_attributes(customer, attributes, writer=attribute_rules.API):
    """Merge `attributes` into the customer's (null removes a key), checked for `writer`: the API's write."""
    cleaned = clean_attributes(attributes, writer)
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    merged = {**customer.attributes, **cleaned}
    customer.attributes = {key: value for key, value in merged.items() if value is not None}
    customer.save(update_fields=["attributes"])
    sync_typed_values(customer)
    announce_attributes_changed(customer.pk)
    conversation = Conversation.objects.filter(customer=customer).first()
    if conversation is not None:
        events.conversation_changed(conversation)
    return customer


@transaction.atomic
def delete_definition(definition):
    """Unregister a typed attribute: its typed copies go (segments stop filtering on it); the values stay in
    the customers' attributes as free-form ones, so deleting a definition loses no customer data."""
    definition = AttributeDefinition.objects.select_for_update().get(pk=definition.pk)
    definition.delete()
