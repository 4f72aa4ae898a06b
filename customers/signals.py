"""Signals of the customer layer, for the layers on top of it (commerce keeps raw store deliveries)."""
from django.dispatch import Signal

# Sent INSIDE the erasure's transaction with customer_ids and addresses: whoever keeps copies of that
# person's data (a store delivery's raw body) removes them in the same transaction, or the erasure fails.
customer_erased = Signal()
# Sent AFTER commit with customer_ids whose events, orders, journey or typed attributes changed (layers: dynamic
# segments).
customers_changed = Signal()
