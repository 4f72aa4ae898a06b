from django.utils.translation import gettext as _

from conversations.models import Notification
from conversations.presence import heartbeat_seconds
from conversations.visibility import is_admin, sees_everything

from . import keyboard


def _script_strings():
    """The few sentences the console's scripts write themselves, in the agent's language."""
    return {
        "reconnecting": _("Reconnecting…"),
        "live": _("Live"),
        "newMessage": _("New message from %(name)s"),
        "mentioned": _("%(name)s mentioned you"),
        "typing": _("%(name)s is typing…"),
        "customer": _("The customer"),
        "viewing": _("Also here: %(names)s"),
        "confirmMerge": _("Merge %(source)s into this conversation? Their identities and messages move here. "
                          "You can undo it."),
        "confirmUndo": _("Undo this merge?"),
        "choose": _("Choose at least one conversation."),
        "failed": _("Something went wrong; try again."),
        "offline": _("The server could not be reached; check the connection and try again."),
        "dismiss": _("Dismiss"),
        "tooLarge": _("%(name)s is too large."),
        "tooMany": _("Too many files."),
        "merged": _("This conversation was merged into another one."),
        "revoked": _("You no longer have access to this conversation."),
    }


def console(request):
    """What the top bar and the scripts of every console page need."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "is_supervisor": sees_everything(user),
        "is_admin": is_admin(user),
        "unread_notifications": Notification.objects.filter(recipient=user, read_at__isnull=True).count(),
        "console_strings": _script_strings(),
        "keyboard_strings": keyboard.script_strings(),
        "heartbeat_seconds": heartbeat_seconds(),
    }
