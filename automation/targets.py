"""Where an outgoing webhook may go: public addresses only, checked after DNS resolution and on every redirect.

A URL that names a public host can still resolve to 10.0.0.5 or 169.254.169.254 (cloud metadata), or
redirect there: each hop is resolved, every address it resolves to is checked, and the request is sent
to the address that was checked (the host name stays in the Host header and TLS SNI), so a second DNS
answer cannot swap it for another.
"""
import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _


class TargetRefused(ValueError):
    """The URL may not be called; the message says why, fit for an admin."""


@dataclass(frozen=True)
class Target:
    url: str
    host: str
    port: int
    address: str  # the checked IP the request goes to

    @property
    def pinned_url(self):
        parts = urlsplit(self.url)
        ip = f"[{self.address}]" if ":" in self.address else self.address
        netloc = f"{ip}:{self.port}"
        return parts._replace(netloc=netloc).geturl()

    @property
    def host_header(self):
        default = 443 if self.url.startswith("https:") else 80
        return self.host if self.port == default else f"{self.host}:{self.port}"


def _allow_listed(host):
    return host.lower() in {entry.lower() for entry in settings.WEBHOOK_ALLOWED_HOSTS}


def _public(address):
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global and not (ip.is_multicast or ip.is_reserved or ip.is_unspecified)


def _resolve(host, port):
    try:
        answers = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise TargetRefused(_("The host %(host)s could not be resolved.") % {"host": host}) from exc
    return list(dict.fromkeys(answer[4][0] for answer in answers))


def check_target(url):
    """The Target `url` may be sent to, or TargetRefused."""
    parts = urlsplit(url or "")
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise TargetRefused(_("Enter a full https:// URL."))
    if parts.username or parts.password:
        raise TargetRefused(_("The URL may not contain a user name or password."))
    host = parts.hostname
    allowed = _allow_listed(host)
    if parts.scheme != "https" and not allowed:
        raise TargetRefused(_("Webhooks are sent over https only."))
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise TargetRefused(_("The URL has an invalid port.")) from exc
    addresses = _resolve(host, port)
    if not allowed:
        refused = [address for address in addresses if not _public(address)]
        if refused or not addresses:
            raise TargetRefused(
                _("%(host)s resolves to a private, loopback or link-local address (%(address)s): refused.")
                % {"host": host, "address": ", ".join(refused) or "-"}
            )
    return Target(url=url, host=host, port=port, address=addresses[0])
