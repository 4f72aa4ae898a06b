"""What the console's open websockets hear of changes made elsewhere (domain signals sent after commit)."""
from django.contrib.auth import get_user_model

from conversations import events


def update_open_consoles(sender, user_id, **kwargs):
    """An agent's teams, role or active state changed: their open sockets take the new access at once."""
    user = get_user_model().objects.filter(pk=user_id).select_related("agent").first()
    if user is not None:
        events.access_changed(user)
