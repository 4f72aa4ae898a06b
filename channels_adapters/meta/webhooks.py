"""What WhatsApp Cloud, Messenger and Instagram share: Meta's webhook handshake, signature and envelope."""
import re
import secrets
from urllib.parse import parse_qs

from django.http import HttpResponse

from ..base import (
    ChannelAdapter,
    SignatureError,
    clean_http_url,
    clean_pattern,
    hmac_sha256_hex,
    load_json_object,
    signature_matches,
)
from .client import DEFAULT_API_VERSION, DEFAULT_BASE_URL, GraphClient

SIGNATURE_HEADER = "X-Hub-Signature-256"
CHALLENGE = re.compile(r"[A-Za-z0-9_\-]{1,200}")


def objects(container, key):
    """container[key] when it is a list, keeping only the objects: Meta payloads are read defensively."""
    items = container.get(key) if isinstance(container, dict) else None
    return [item for item in items if isinstance(item, dict)] if isinstance(items, list) else []


class MetaAdapter(ChannelAdapter):
    webhook_object = ""  # the payload's "object": whatsapp_business_account, page, instagram
    token_key = ""  # the config key of the Graph access token
    default_api_base_url = DEFAULT_BASE_URL

    @classmethod
    def check_config(cls, config, errors):
        # The admin pastes the verify token into Meta's console; one is made up when none is given.
        config["verify_token"] = config.get("verify_token") or secrets.token_urlsafe(24)
        clean_http_url(errors, config, "api_base_url")
        clean_pattern(errors, config, "api_version", r"v\d{1,2}\.\d", "a Graph API version such as v22.0")
        clean_pattern(errors, config, "verify_token", r"[A-Za-z0-9_\-.~]{8,200}", "8 to 200 letters, digits or -_.~")

    def graph(self):
        version = self.config.get("api_version") or DEFAULT_API_VERSION
        return GraphClient(self.api_base_url(), version, self.config[self.token_key], self.label)

    # --- inbound -----------------------------------------------------------
    def handshake(self, request):
        query = parse_qs(request.query_string, keep_blank_values=True)
        mode = query.get("hub.mode", [""])[0]
        token = query.get("hub.verify_token", [""])[0]
        challenge = query.get("hub.challenge", [""])[0]
        if mode != "subscribe" or not signature_matches(self.config["verify_token"], token):
            return HttpResponse("Verification failed.", status=403, content_type="text/plain")
        if not CHALLENGE.fullmatch(challenge):
            return HttpResponse("Missing or malformed hub.challenge.", status=400, content_type="text/plain")
        return HttpResponse(challenge, content_type="text/plain")

    def verify(self, request):
        given = request.header(SIGNATURE_HEADER)
        if not given.startswith("sha256="):
            raise SignatureError(f"missing or malformed {SIGNATURE_HEADER} header")
        # Over the raw bytes: Meta escapes "/" and non-ASCII, so re-serialised JSON would not match.
        expected = hmac_sha256_hex(self.config["app_secret"], request.body)
        if not signature_matches(expected, given[len("sha256="):]):
            raise SignatureError("signature does not match the body")

    def validate(self, request):
        load_json_object(request.body)

    def entries(self, request):
        """The payload's entries when it is about this kind's object; other objects are kept, not processed."""
        payload = load_json_object(request.body)
        if payload.get("object") != self.webhook_object:
            return []
        return objects(payload, "entry")
