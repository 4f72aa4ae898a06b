"""The signature receivers check: HMAC-SHA256 over "<timestamp>.<body>" with the subscription's secret."""
import hashlib
import hmac

TIMESTAMP_HEADER = "X-OmniDesk-Timestamp"
SIGNATURE_HEADER = "X-OmniDesk-Signature"
EVENT_HEADER = "X-OmniDesk-Event"
DELIVERY_HEADER = "X-OmniDesk-Delivery"


def signature(secret, timestamp, body):
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def signed_headers(secret, timestamp, body, event, delivery_id):
    return {
        "Content-Type": "application/json",
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: signature(secret, timestamp, body),
        EVENT_HEADER: event,
        DELIVERY_HEADER: str(delivery_id),
    }
