"""The `cti` channel: a telephony system (PBX, cloud call center) posts signed call events to us.

    POST /webhooks/<channel uuid>/   X-OmniDesk-Signature: sha256=<hex HMAC-SHA256 of the body with the secret>
    {"event": "call.started" | "call.ended", "call_id": "...", "direction": "inbound" | "outbound",
     "caller": "+5511...", "callee": "+5511...", "at": "2026-12-03T10:00:00Z",
     "duration_seconds": 95, "outcome": "answered", "recording_url": "https://pbx.example.com/rec/1.mp3"}

The customer is the caller of an inbound call and the callee of an outbound one, found by phone number
(E.164) like SMS and WhatsApp. A recording is fetched later under the media rules, from the channel's
`recording_base_url` origin only.
"""
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from conversations import failure_reasons
from conversations.failure_reasons import FailureReason

from ..base import ChannelAdapter, PayloadError, SignatureError, hmac_sha256_hex, load_json_object, signature_matches
from ..media import TrustedHosts, download
from ..types import Attachment, Capabilities, InboundCall, Sender, SendResult

SIGNATURE_HEADER = "X-OmniDesk-Signature"
EVENTS = {"call.started", "call.ended"}
DIRECTIONS = {"inbound", "outbound"}
OUTCOMES = {"answered", "missed", "voicemail", "busy", "failed"}
CALLS_ONLY = "cti.calls_only"
failure_reasons.register(CALLS_ONLY, _("A telephony channel records calls; it cannot send messages."))


class CtiAdapter(ChannelAdapter):
    kind = "cti"
    label = "Phone calls"
    identity_kinds = frozenset()
    reaches_any_identity = False
    sends_replies = False
    required_config = ("secret",)
    optional_config = ("recording_base_url",)
    secret_config = frozenset({"secret"})
    capabilities = Capabilities()

    @classmethod
    def check_config(cls, config, errors):
        if len(config["secret"]) < 16:
            errors["secret"] = "must be at least 16 characters"
        url = config.get("recording_base_url") or ""
        if url and not url.startswith(("http://", "https://")):
            errors["recording_base_url"] = "must be an http:// or https:// URL"

    def verify(self, request):
        given = request.header(SIGNATURE_HEADER)
        if not given.startswith("sha256="):
            raise SignatureError(f"missing or malformed {SIGNATURE_HEADER} header")
        if not signature_matches(hmac_sha256_hex(self.config["secret"], request.body), given[len("sha256="):]):
            raise SignatureError("signature does not match the body")

    def validate(self, request):
        self.parse(request)

    def parse(self, request):
        payload = load_json_object(request.body)
        event, direction = payload.get("event"), payload.get("direction")
        if event not in EVENTS:
            raise PayloadError(f"event must be one of {', '.join(sorted(EVENTS))}")
        if direction not in DIRECTIONS:
            raise PayloadError("direction must be inbound or outbound")
        call_id = payload.get("call_id")
        if not isinstance(call_id, str) or not call_id.strip() or len(call_id) > 200:
            raise PayloadError("call_id must be a non-empty string of at most 200 characters")
        number = payload.get("caller" if direction == "inbound" else "callee")
        if not isinstance(number, str) or not number.strip():
            raise PayloadError(f"{'caller' if direction == 'inbound' else 'callee'} must be the customer's number")
        at = parse_datetime(payload["at"]) if isinstance(payload.get("at"), str) else None
        if at is None or at.tzinfo is None:
            raise PayloadError("at must be an ISO time with a time zone")
        duration, outcome = payload.get("duration_seconds"), payload.get("outcome") or ""
        if event == "call.ended":
            if isinstance(duration, bool) or not isinstance(duration, int) or duration < 0:
                raise PayloadError("duration_seconds must be a whole number of seconds")
            if outcome not in OUTCOMES:
                raise PayloadError(f"outcome must be one of {', '.join(sorted(OUTCOMES))}")
        else:
            duration, outcome = None, ""
        recording = None
        url = payload.get("recording_url")
        if url:
            if not isinstance(url, str) or not url.startswith(("http://", "https://")) or len(url) > 1000:
                raise PayloadError("recording_url must be an http(s) URL")
            recording = Attachment(filename=f"call-{call_id.strip()[:80]}.mp3", content_type="audio/mpeg", url=url)
        return [InboundCall(call_id=call_id.strip(), event=event, direction=direction,
                            customer=Sender(kind="phone", address=number.strip()), at=at,
                            duration_seconds=duration, outcome=outcome, recording=recording)]

    def send(self, outbound):
        return SendResult(ok=False, reason=FailureReason(CALLS_ONLY))

    def fetch_media(self, attachment):
        """A recording, from the telephony system's own origin only (its recording_base_url)."""
        return download(attachment.url, TrustedHosts((), self.config.get("recording_base_url") or ""),
                        declared_type=attachment.content_type)
