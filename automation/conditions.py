"""Rule conditions: a tree of all / any / not over a fixed set of conversation facts.

    {"all": [{"field": "channel_kind", "op": "eq", "value": "whatsapp_cloud"},
             {"any": [{"field": "text", "op": "contains", "value": "reembolso"},
                      {"not": {"field": "labels", "op": "contains", "value": "vip"}}]}]}

`check` validates a tree before it is saved; `evaluate` answers (matched, first failing condition).
"""
import unicodedata

from django.conf import settings
from django.utils.translation import gettext as _

MAX_DEPTH = 6
MAX_CONDITIONS = 50
ATTRIBUTE_PREFIX = "customer.attributes."

EQUALITY = ("eq", "neq", "in", "not_in")
PRESENCE = ("empty", "not_empty")
# Each field and the operators it takes.
FIELDS = {
    "channel_kind": EQUALITY,
    "status": EQUALITY,
    "priority": EQUALITY,
    "team": EQUALITY + PRESENCE,
    "assignee": EQUALITY + PRESENCE,
    "labels": ("contains", "not_contains") + PRESENCE,
    "text": ("contains", "not_contains", "eq") + PRESENCE,
    "automatic": ("eq",),
    "waiting": ("eq",),
    "csat": ("eq", "neq", "gt", "lt") + PRESENCE,
    # The customer's language (a code of settings.LANGUAGES).
    "language": EQUALITY + PRESENCE,
    # "open" or "closed" now, in the conversation's business calendar (routing).
    "business_hours": ("eq",),
    # Of the customer's message (insights): its label, and its score in -1..1.
    "sentiment": EQUALITY + PRESENCE,
    "sentiment_score": ("gt", "lt") + PRESENCE,
    # Which clock an SLA warning or breach is about.
    "sla_metric": EQUALITY,
}
# The values some fields may take, checked when a rule is saved.
FIELD_VALUES = {
    "business_hours": ("open", "closed"),
    "sentiment": ("negative", "neutral", "positive"),
    "sla_metric": ("first_response", "next_response", "resolution"),
}
ATTRIBUTE_OPERATORS = EQUALITY + PRESENCE + ("contains", "gt", "lt")


class ConditionProblem(ValueError):
    pass


def _operators(field):
    if field.startswith(ATTRIBUTE_PREFIX) and len(field) > len(ATTRIBUTE_PREFIX):
        return ATTRIBUTE_OPERATORS
    return FIELDS.get(field)


def check(tree, depth=0, counter=None):
    """Raise ConditionProblem unless `tree` is a valid condition tree ({} is "always")."""
    counter = counter if counter is not None else [0]
    if depth > MAX_DEPTH:
        raise ConditionProblem(_("Conditions are nested too deeply."))
    if not isinstance(tree, dict):
        raise ConditionProblem(_("A condition is an object."))
    if not tree and depth == 0:
        return
    if set(tree) in ({"all"}, {"any"}):
        children = tree.get("all", tree.get("any"))
        if not isinstance(children, list) or not children:
            raise ConditionProblem(_("\"all\" and \"any\" take a non-empty list."))
        for child in children:
            check(child, depth + 1, counter)
        return
    if set(tree) == {"not"}:
        check(tree["not"], depth + 1, counter)
        return
    counter[0] += 1
    if counter[0] > MAX_CONDITIONS:
        raise ConditionProblem(_("At most %(max)d conditions.") % {"max": MAX_CONDITIONS})
    field, op = tree.get("field"), tree.get("op")
    operators = _operators(field) if isinstance(field, str) else None
    if operators is None:
        raise ConditionProblem(_("Unknown field %(field)s.") % {"field": field})
    if op not in operators:
        raise ConditionProblem(_("%(field)s takes one of: %(ops)s.") % {"field": field, "ops": ", ".join(operators)})
    if set(tree) - {"field", "op", "value"}:
        raise ConditionProblem(_("A condition has only field, op and value."))
    value = tree.get("value")
    if op in PRESENCE:
        return
    if op in ("in", "not_in"):
        if not isinstance(value, list) or not value or not all(isinstance(v, (str, int)) for v in value):
            raise ConditionProblem(_("%(op)s takes a non-empty list.") % {"op": op})
    elif op in ("gt", "lt"):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ConditionProblem(_("%(op)s takes a number.") % {"op": op})
    elif field in ("automatic", "waiting"):
        if not isinstance(value, bool):
            raise ConditionProblem(_("%(field)s is true or false.") % {"field": field})
    elif not isinstance(value, (str, int)) or isinstance(value, bool) or value == "":
        raise ConditionProblem(_("%(field)s needs a value.") % {"field": field})
    allowed = FIELD_VALUES.get(field) or (
        tuple(code for code, _name in settings.LANGUAGES) if field == "language" else None)
    if allowed and any(folded(v) not in allowed for v in (value if isinstance(value, list) else [value])):
        raise ConditionProblem(_("%(field)s is one of: %(values)s.") % {"field": field, "values": ", ".join(allowed)})


def folded(text):
    """Case- and accent-insensitive form: "Reembolsó" and "REEMBOLSO" compare equal."""
    decomposed = unicodedata.normalize("NFKD", str(text))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _number(value):
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _leaf(condition, facts):
    field, op, expected = condition["field"], condition["op"], condition.get("value")
    actual = facts.get(field)
    if op == "empty":
        return actual in (None, "", [])
    if op == "not_empty":
        return actual not in (None, "", [])
    if field == "labels":
        found = folded(expected) in {folded(label) for label in actual or []}
        return found if op == "contains" else not found
    if op in ("contains", "not_contains"):
        found = folded(expected) in folded(actual or "")
        return found if op == "contains" else not found
    if op in ("gt", "lt"):
        number = _number(actual)
        return number is not None and (number > expected if op == "gt" else number < expected)
    same = (lambda a, b: folded(a) == folded(b)) if isinstance(actual, str) else (lambda a, b: str(a) == str(b))
    if op == "eq":
        return actual is not None and same(actual, expected)
    if op == "neq":
        return actual is None or not same(actual, expected)
    inside = actual is not None and any(same(actual, candidate) for candidate in expected)
    return inside if op == "in" else not inside


def describe(condition):
    if "field" in condition:
        value = condition.get("value")
        return f"{condition['field']} {condition['op']}" + ("" if value is None else f" {value!r}")
    if "not" in condition:
        return f"not ({describe(condition['not'])})"
    key = "all" if "all" in condition else "any"
    return f"{key}({', '.join(describe(child) for child in condition[key])})"


def evaluate(tree, facts):
    """(matched, the first condition that failed, described) for `facts` (see automation.facts)."""
    if not tree:
        return True, ""
    if "all" in tree:
        for child in tree["all"]:
            matched, failed = evaluate(child, facts)
            if not matched:
                return False, failed
        return True, ""
    if "any" in tree:
        for child in tree["any"]:
            if evaluate(child, facts)[0]:
                return True, ""
        return False, describe(tree)
    if "not" in tree:
        matched, _failed = evaluate(tree["not"], facts)
        return (not matched), ("" if not matched else describe(tree))
    return (True, "") if _leaf(tree, facts) else (False, describe(tree))
