"""Provider media, both ways: fetching inbound files safely, and signed links to our outbound attachments.

Inbound media is only fetched from the provider's own hosts (no SSRF through a
crafted payload), redirects are followed only onto those hosts, credentials
never leave the host they were meant for, and size and type are limited.
"""
import mimetypes
import re
from fnmatch import fnmatchcase
from urllib.parse import unquote, urljoin, urlsplit

import httpx
from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils.text import get_valid_filename

from conversations.media_types import is_allowed_media_type

from .base import MediaError
from .http import http_client, retry_after_seconds
from .types import FetchedMedia

MAX_REDIRECTS = 3
GENERIC_TYPES = {"", "application/octet-stream", "binary/octet-stream"}
OUTBOUND_LINK_SALT = "channels_adapters.media.outbound"


def _origin(url):
    parts = urlsplit(url)
    return parts.scheme, (parts.hostname or "").lower(), parts.port or (443 if parts.scheme == "https" else 80)


class TrustedHosts:
    """The hosts a channel's media may come from: the adapter's host patterns (https only) and the
    exact origins of the given base URLs (the channel's api_base_url)."""

    def __init__(self, patterns, *base_urls):
        self.patterns = tuple(p.lower() for p in patterns) if settings.MEDIA_FETCH_TRUST_PROVIDER_HOSTS else ()
        self.origins = {_origin(url) for url in base_urls if url}

    def allows(self, url):
        scheme, host, port = _origin(url)
        if (scheme, host, port) in self.origins:
            return True
        if scheme != "https" or port != 443:
            return False
        return any(fnmatchcase(host, pattern) for pattern in self.patterns)


def _filename(response, url, content_type):
    disposition = response.headers.get("Content-Disposition", "")
    match = re.search(r"filename\*=(?:UTF-8'')?([^;]+)|filename=\"?([^\";]+)", disposition, re.IGNORECASE)
    name = unquote((match.group(1) or match.group(2)).strip()) if match else ""
    if not name:
        last = unquote(urlsplit(url).path.rsplit("/", 1)[-1])
        name = last if "." in last else ""
    if not name:
        name = "media" + (mimetypes.guess_extension(content_type) or "")
    return get_valid_filename(name)[:200] or "media"


def _check_answer(response):
    if response.status_code == 429 or response.status_code >= 500:
        raise MediaError(f"The provider answered HTTP {response.status_code}.", retryable=True,
                         retry_after=retry_after_seconds(response))
    if not response.is_success:
        raise MediaError(f"The provider answered HTTP {response.status_code}.")


def get_json(url, trusted, headers=None):
    """A small JSON answer from the provider's API (media metadata), under the same host rules."""
    if not trusted.allows(url):
        raise MediaError(f"Refused to call {urlsplit(url).hostname}: not one of the provider's hosts.")
    try:
        with http_client(headers=headers or {}) as client:
            response = client.get(url)
    except httpx.HTTPError as exc:
        raise MediaError(f"Could not reach the provider: {exc.__class__.__name__}.", retryable=True) from exc
    _check_answer(response)
    try:
        return response.json()
    except (ValueError, RecursionError) as exc:
        raise MediaError("The provider's answer is not JSON.") from exc


def download(url, trusted, headers=None, declared_type=""):
    """Fetch `url` (following redirects onto trusted hosts only) within the size and type limits."""
    first_origin = _origin(url)
    limit = settings.MEDIA_FETCH_MAX_BYTES
    try:
        with http_client() as client:
            for _hop in range(MAX_REDIRECTS + 1):
                if not trusted.allows(url):
                    raise MediaError(f"Refused to fetch media from {urlsplit(url).hostname}: "
                                     "not one of the provider's hosts.")
                # Credentials go to the host they belong to, never to where it redirects (e.g. a CDN).
                hop_headers = headers if _origin(url) == first_origin else None
                with client.stream("GET", url, headers=hop_headers or {}) as response:
                    if response.is_redirect and response.headers.get("Location"):
                        url = urljoin(url, response.headers["Location"])
                        continue
                    _check_answer(response)
                    content_type = response.headers.get("Content-Type", "").split(";", 1)[0].strip().lower()
                    if content_type in GENERIC_TYPES:
                        content_type = declared_type.split(";", 1)[0].strip().lower()
                    if content_type in GENERIC_TYPES:  # nobody says: the file's extension may
                        content_type = mimetypes.guess_type(urlsplit(url).path)[0] or ""
                    if not is_allowed_media_type(content_type):
                        raise MediaError(f"Files of type {content_type or 'unknown'} are not stored.")
                    declared_size = response.headers.get("Content-Length", "")
                    if declared_size.isdigit() and int(declared_size) > limit:
                        raise MediaError(f"The file is larger than {limit} bytes.")
                    content = bytearray()
                    for chunk in response.iter_bytes():
                        content.extend(chunk)
                        if len(content) > limit:
                            raise MediaError(f"The file is larger than {limit} bytes.")
                    return FetchedMedia(bytes(content), content_type, _filename(response, url, content_type))
            raise MediaError("The provider redirected too many times.")
    except httpx.HTTPError as exc:
        raise MediaError(f"Could not reach the provider: {exc.__class__.__name__}.", retryable=True) from exc


def outbound_link(attachment_id, filename):
    """A public, signed, expiring URL of an outbound attachment, for providers that fetch media by link."""
    token = signing.dumps(attachment_id, salt=OUTBOUND_LINK_SALT)
    name = get_valid_filename(filename or "attachment") or "attachment"
    return settings.PUBLIC_BASE_URL + reverse("outbound_media", args=[token, name])


def attachment_id_from_link(token):
    """The attachment id a link was signed for; raises signing.BadSignature (or SignatureExpired)."""
    return signing.loads(token, salt=OUTBOUND_LINK_SALT, max_age=settings.OUTBOUND_MEDIA_LINK_MAX_AGE_SECONDS)
