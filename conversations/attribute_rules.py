"""Typed customer attributes are a layer's business: the domain learns their rules by registration.

`customers/` registers a rule book at start-up; the domain asks it to check a
customer's attributes before they are stored (a wrong type is refused with an
ActionError, nothing stored) and tells it once they are saved. Without a rule
book, attributes are free-form, as they always were.
"""
AGENT, API, WIDGET = "agent", "api", "widget"
WRITERS = (AGENT, API, WIDGET)

_rule_books = []


def register(rule_book):
    """`rule_book` has `check(attributes, writer, from_text) -> dict` and `stored(customer)`."""
    if rule_book not in _rule_books:
        _rule_books.append(rule_book)


def check(attributes, writer, from_text=False):
    for rule_book in _rule_books:
        attributes = rule_book.check(attributes, writer, from_text)
    return attributes


def stored(customer):
    for rule_book in _rule_books:
        rule_book.stored(customer)
