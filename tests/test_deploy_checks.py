"""Production settings pass Django's deployment checks, and stored files are private to the service."""
import os
import secrets
import stat
import subprocess
import sys

from django.conf import settings
from django.core.files.base import ContentFile

from channels_adapters.types import Attachment, InboundMessage, Sender
from conversations.actions.ingest import ingest_message

PRODUCTION = {
    "DATABASE_URL": "postgres://omnidesk@db.internal:5432/omnidesk",
    "REDIS_URL": "redis://cache.internal:6379/0",
    "SECRET_KEY": secrets.token_urlsafe(60),
    "PUBLIC_BASE_URL": "https://desk.example.com",
    "ALLOWED_HOSTS": "desk.example.com",
    "DJANGO_SETTINGS_MODULE": "omnidesk.settings",
}


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    env = {**os.environ, **PRODUCTION, "OMNIDESK_VAR_DIR": str(tmp_path)}
    env.pop("DEBUG", None)
    result = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                            cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_cookies_and_transport_are_secure_when_served_over_https(tmp_path):
    env = {**os.environ, **PRODUCTION, "OMNIDESK_VAR_DIR": str(tmp_path)}
    probe = ("from django.conf import settings as s; print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
             "s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS >= 31536000, s.DEBUG)")
    result = subprocess.run([sys.executable, "-c", f"import django; django.setup(); {probe}"],
                            cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=60)
    assert result.stdout.split() == ["True", "True", "True", "True", "False"], result.stderr


def test_stored_attachment_files_are_not_world_readable(make_api_channel, team):
    inbound = InboundMessage("in-1", Sender("phone", "+5511999990001"), "Segue o comprovante",
                             attachments=(Attachment(filename="comprovante.pdf", content_type="application/pdf",
                                                     content=b"%PDF-1.4 private"),))
    stored = ingest_message(make_api_channel(team=team), inbound).message.attachments.get()
    path = stored.file.path
    assert stat.S_IMODE(os.stat(path).st_mode) & 0o007 == 0
    assert stat.S_IMODE(os.stat(os.path.dirname(path)).st_mode) & 0o007 == 0
    # Agent uploads go through the same storage.
    stored.file.save("second.pdf", ContentFile(b"%PDF-1.4"), save=False)
    assert stat.S_IMODE(os.stat(stored.file.path).st_mode) & 0o007 == 0
