"""Encryption at rest for channel configuration (Fernet, key from settings)."""
import base64
import hashlib
import json

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings


def _fernet():
    digest = hashlib.sha256(settings.CHANNEL_SECRETS_KEY.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def encrypt_json(value):
    return _fernet().encrypt(json.dumps(value).encode()).decode()


def decrypt_json(token):
    if not token:
        return {}
    try:
        return json.loads(_fernet().decrypt(token.encode()))
    except InvalidToken as exc:
        raise ValueError("channel configuration cannot be decrypted with the configured key") from exc
