"""Readable text for inbound content that has no text of its own (locations, contacts, unknown types).

Nothing a customer sends is dropped: what OmniDesk cannot show is stored as
a placeholder that says what it was, with the provider's data in metadata.
"""


def location_text(latitude, longitude, name="", address=""):
    where = ", ".join(part for part in (name, address) if part)
    link = f"https://www.openstreetmap.org/?mlat={latitude}&mlon={longitude}#map=17/{latitude}/{longitude}"
    return f"📍 Location: {where + ' — ' if where else ''}{latitude}, {longitude} {link}"


def location_metadata(latitude, longitude, name="", address=""):
    return {"location": {"latitude": latitude, "longitude": longitude, "name": name, "address": address}}


def contact_text(name, phones=(), emails=()):
    details = ", ".join([*phones, *emails])
    return f"👤 Contact: {name or 'unnamed'}{' — ' + details if details else ''}"


def reaction_text(emoji):
    return f"Reacted {emoji} to a message" if emoji else "Removed a reaction"


def unsupported_text(channel_label, message_type):
    return f"[{channel_label} message of type {message_type or 'unknown'} that OmniDesk cannot show]"
