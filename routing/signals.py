"""Routing's own domain signals, sent after commit, for other layers (automation) to listen to."""
from django.dispatch import Signal

# Sent with clock_id, conversation_id, metric and cause (conversations.causes.Cause of the change that
# brought the warning on, None for the passing of time) once a clock's warning is committed (once per clock).
sla_warning = Signal()
# Sent with clock_id, conversation_id, metric and cause once a clock's breach is committed (once per clock).
sla_breached = Signal()
