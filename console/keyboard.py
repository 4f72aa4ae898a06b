"""The console's keyboard: the shortcuts the `?` overlay lists and the command palette's words, translated.

The keys themselves are bound in static/console/js/keyboard.js; this is the list the agent reads.
"""
from django.utils.translation import gettext as _


def shortcuts():
    """(keys, what they do) in the order the overlay shows them."""
    return [
        (["j"], _("Next conversation")),
        (["k"], _("Previous conversation")),
        (["o", "Enter"], _("Open the selected conversation")),
        (["a"], _("Assign to me")),
        (["e"], _("Resolve")),
        (["z"], _("Snooze")),
        (["l"], _("Labels")),
        (["r"], _("Write a reply")),
        (["n"], _("Write a private note")),
        (["/"], _("Search")),
        (["Ctrl K", "⌘ K"], _("Command palette")),
        (["?"], _("Keyboard shortcuts")),
        (["Esc"], _("Close, or leave the field")),
    ]


def script_strings():
    """What keyboard.js and palette.js write themselves."""
    return {
        "shortcuts": [{"keys": keys, "label": label} for keys, label in shortcuts()],
        "shortcutsTitle": _("Keyboard shortcuts"),
        "close": _("Close"),
        "palettePlaceholder": _("Jump to a conversation, customer, view or action…"),
        "paletteLabel": _("Command palette"),
        "actions": _("Actions"),
        "views": _("Views"),
        "customers": _("Customers"),
        "conversations": _("Conversations"),
        "nothingFound": _("Nothing found."),
        "searchFor": _("Search messages for “%(q)s”"),
        "goInbox": _("Go to the inbox"),
        "goSupervisor": _("Go to the supervisor view"),
        "goSettings": _("Go to settings"),
        "assignMe": _("Assign to me"),
        "resolve": _("Resolve"),
        "snooze": _("Snooze"),
        "label": _("Labels"),
        "reply": _("Write a reply"),
        "note": _("Write a private note"),
    }
