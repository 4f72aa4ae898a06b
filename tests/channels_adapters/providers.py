"""Provider fixtures (byte-exact wire payloads), their secrets, and signing as each provider does."""
import json
from pathlib import Path
from urllib.parse import urlencode

import httpx
from django.conf import settings
from django.http import QueryDict
from twilio.request_validator import RequestValidator

from channels_adapters.base import hmac_sha256_hex

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "providers"
SIGNATURES = json.loads((FIXTURES / "signatures.json").read_text())
TWILIO_TOKEN = SIGNATURES["twilio"]["auth_token"]
META_SECRET = SIGNATURES["meta"]["app_secret"]
TELEGRAM_SECRET = SIGNATURES["telegram"]["secret_token"]
ACCOUNT_SID = "AC" + "0" * 32
BUSINESS_NUMBER = "+15005550006"
CUSTOMER = "+5511999990001"
FORM = "application/x-www-form-urlencoded"


def fixture(name):
    return (FIXTURES / name).read_bytes()


def webhook_path(channel):
    return f"/webhooks/{channel.pk}/"


def post(base_url, channel, body, headers):
    return httpx.post(base_url + webhook_path(channel), content=body, headers=headers, timeout=10)


# --- Twilio -------------------------------------------------------------------
def twilio_form(**fields):
    """A form body as Twilio posts it (AccountSid of the test account unless given)."""
    return urlencode({"AccountSid": ACCOUNT_SID, "ApiVersion": "2010-04-01", **fields}).encode()


def twilio_headers(channel, body, token=TWILIO_TOKEN):
    """Signed as Twilio does: over the public URL it called (PUBLIC_BASE_URL) and every parameter."""
    url = settings.PUBLIC_BASE_URL + webhook_path(channel)
    signature = RequestValidator(token).compute_signature(url, QueryDict(body, encoding="utf-8"))
    return {"Content-Type": FORM, "X-Twilio-Signature": signature}


def post_twilio(base_url, channel, body):
    return post(base_url, channel, body, twilio_headers(channel, body))


def twilio_config(api_base_url, **extra):
    return {"account_sid": ACCOUNT_SID, "auth_token": TWILIO_TOKEN, "from_number": BUSINESS_NUMBER,
            "api_base_url": api_base_url, **extra}


# --- Meta ---------------------------------------------------------------------
def meta_headers(body, secret=META_SECRET):
    return {"Content-Type": "application/json", "X-Hub-Signature-256": f"sha256={hmac_sha256_hex(secret, body)}"}


def post_meta(base_url, channel, body):
    body = body if isinstance(body, bytes) else json.dumps(body).encode()
    return post(base_url, channel, body, meta_headers(body))


# --- Telegram -----------------------------------------------------------------
def telegram_headers(secret=TELEGRAM_SECRET):
    return {"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": secret}


def post_telegram(base_url, channel, body):
    body = body if isinstance(body, bytes) else json.dumps(body).encode()
    return post(base_url, channel, body, telegram_headers())
