"""Which file types OmniDesk stores and sends: a closed list, so nothing a browser would run is served back."""
from fnmatch import fnmatchcase

from django.conf import settings


def is_allowed_media_type(content_type):
    """True for a MIME type (parameters ignored) matching settings.ATTACHMENT_ALLOWED_TYPES; never SVG or HTML."""
    base = (content_type or "").split(";", 1)[0].strip().lower()
    if not base or base in ("image/svg+xml", "text/html", "application/xhtml+xml"):
        return False
    return any(fnmatchcase(base, pattern) for pattern in settings.ATTACHMENT_ALLOWED_TYPES)
