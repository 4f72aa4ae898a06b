"""The Origin check of every widget endpoint and of the widget websocket."""
from urllib.parse import urlsplit


def normalise_origin(value):
    """"scheme://host[:port]" in lower case with default ports dropped, or "" when `value` is not an origin."""
    if not isinstance(value, str) or not value.strip():
        return ""
    parts = urlsplit(value.strip().lower())
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.path not in ("", "/"):
        return ""
    if parts.query or parts.fragment or parts.username or parts.password:
        return ""
    try:
        port = parts.port
    except ValueError:
        return ""
    host = parts.hostname if ":" not in parts.hostname else f"[{parts.hostname}]"
    default_port = {"http": 80, "https": 443}[parts.scheme]
    return f"{parts.scheme}://{host}" + (f":{port}" if port and port != default_port else "")


def origin_allowed(origin, allowed_origins):
    """True when `origin` matches one of the channel's allowed origins.

    An allowed origin is "https://shop.example" (exact) or
    "https://*.shop.example" (any subdomain, not the bare domain).
    """
    origin = normalise_origin(origin)
    if not origin:
        return False
    scheme, _, host_port = origin.partition("://")
    for allowed in allowed_origins:
        allowed_scheme, _, allowed_host = allowed.partition("://")
        if allowed_host.startswith("*."):
            if scheme == allowed_scheme and host_port.endswith(allowed_host[1:]):
                return True
        elif origin == allowed:
            return True
    return False


def clean_allowed_origin(value):
    """Normalise an admin-given allowed origin; "" when it is not one."""
    if isinstance(value, str) and "://*." in value:
        scheme, _, rest = value.strip().lower().partition("://*.")
        inner = normalise_origin(f"{scheme}://{rest}")
        return f"{scheme}://*.{inner.partition('://')[2]}" if inner else ""
    return normalise_origin(value)
