"""OmniDesk settings, read from the environment.

No environment = the embedded default (SQLite in WAL mode, in-memory channel
layer, Celery tasks executed eagerly after commit). `DATABASE_URL` and
`REDIS_URL` switch to PostgreSQL, channels_redis and Celery workers on Redis.
"""
import secrets
from datetime import timedelta
from pathlib import Path

import environ
from kombu import Exchange, Queue

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()

VAR_DIR = Path(env.str("OMNIDESK_VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def _embedded_secret_key():
    # A stable per-installation key so sessions and encrypted channel secrets
    # survive restarts in embedded mode without any configuration.
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = env.str("SECRET_KEY", default="") or _embedded_secret_key()
# Channel secrets are encrypted with a key of their own when given, so that
# rotating SECRET_KEY (sessions) does not make stored credentials unreadable.
CHANNEL_SECRETS_KEY = env.str("CHANNEL_SECRETS_KEY", default=SECRET_KEY)
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# The externally visible base URL, used for webhook URLs given to providers
# and for signature checks behind a proxy (Twilio signs the URL it called).
PUBLIC_BASE_URL = env.str("PUBLIC_BASE_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "channels",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "anymail",
    "conversations",
    "channels_adapters",
    "channels_adapters.email",
    "api",
    "console",
    "routing",
    "customers",
    "commerce",
    "insights",
    "automation",
    "marketing",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "omnidesk.security_headers.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "console.middleware.AgentPreferencesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "omnidesk.urls"
# Every page (omnidesk/security_headers.py): our own origin only, no inline script or style, no framing.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; font-src 'self'; "
    "connect-src 'self'; media-src 'self' blob:; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
ASGI_APPLICATION = "omnidesk.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "console.context_processors.console",
            ],
        },
    },
]

# --- Data -----------------------------------------------------------------
DATABASE_URL = env.str("DATABASE_URL", default="")
if DATABASE_URL:
    DATABASES = {"default": env.db_url_config(DATABASE_URL)}
    # daphne runs each request in a thread of its own, so persistent connections (CONN_MAX_AGE) would
    # pile up one per thread until PostgreSQL refuses clients. A pool per process hands them back
    # after every request instead. DB_POOL_SIZE=0 turns it off (behind PgBouncer, say).
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DB_POOL_SIZE = env.int("DB_POOL_SIZE", default=8)
    if DB_POOL_SIZE:
        DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
            "min_size": 1,
            "max_size": DB_POOL_SIZE,
            "timeout": env.float("DB_POOL_TIMEOUT_SECONDS", default=10.0),
        }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "omnidesk.sqlite3",
            "OPTIONS": {
                # WAL lets the console read while a webhook writes; IMMEDIATE
                # transactions avoid "database is locked" upgrade deadlocks.
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
            "TEST": {"NAME": str(VAR_DIR / "test.sqlite3")},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL], "prefix": env.str("CHANNELS_PREFIX", default="omnidesk")},
        }
    }
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Celery ---------------------------------------------------------------
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "memory://")
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_QUEUE", default="omnidesk")
# Work nobody is waiting on (sentiment scores, rollups, journeys, segments, campaigns) has a queue of its
# own (omnidesk/celery.py routes it). Workers poll their queues in sorted order, the live one first, and
# reserve one task per process: an inbound message waits at most for the background tasks already
# running, never behind a backlog of them. Dedicated workers: `celery worker -Q <queue>`.
CELERY_BACKGROUND_QUEUE = f"{CELERY_TASK_DEFAULT_QUEUE}.background"
CELERY_TASK_QUEUES = [Queue(name, Exchange(name), routing_key=name)
                      for name in (CELERY_TASK_DEFAULT_QUEUE, CELERY_BACKGROUND_QUEUE)]
CELERY_TASK_ROUTES = ("omnidesk.celery.route_background_work",)
CELERY_BROKER_TRANSPORT_OPTIONS = {"queue_order_strategy": "sorted"}
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Periodic work: `make beat` in production; in embedded mode a thread of the web
# process runs the same schedule (omnidesk/embedded_scheduler.py).
CELERY_BEAT_SCHEDULE = {
    "wake-snoozed-conversations": {"task": "conversations.wake_snoozed", "schedule": 60.0},
    # The safety net of routing's timers (SLA warnings and breaches are also scheduled at their exact time).
    "routing-sweep": {"task": "routing.sweep", "schedule": env.float("ROUTING_SWEEP_SECONDS", default=30.0)},
    "poll-imap-email-channels": {
        "task": "channels_adapters.email.poll_imap_channels",
        "schedule": env.float("EMAIL_IMAP_POLL_SECONDS", default=60.0),
    },
    "sweep-webhook-deliveries": {"task": "automation.sweep_webhook_deliveries", "schedule": 30.0},
    "fire-due-rule-timers": {"task": "automation.fire_due_rule_timers", "schedule": 30.0},
}
EMBEDDED_SCHEDULER = env.bool("EMBEDDED_SCHEDULER", default=CELERY_TASK_ALWAYS_EAGER)
# Without it, Celery's Django fix-up closes the database connection (and, in a prefork worker, the
# whole pool) after every task: a new PostgreSQL connection per inbound message. Connections go
# back to the pool after each task instead (omnidesk/celery.py); Celery recycles the pool every
# 500 tasks.
CELERY_DB_REUSE_MAX = env.int("CELERY_DB_REUSE_MAX", default=500)

# --- HTTPS (on when the public URL is https://: `manage.py check --deploy` is then clean) -------------
HTTPS = env.bool("HTTPS", default=PUBLIC_BASE_URL.startswith("https://"))
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = HTTPS
SESSION_COOKIE_HTTPONLY = True
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=HTTPS)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31_536_000 if HTTPS else 0)
# Subdomains and preloading too by default (check --deploy asks for them); turn off when a subdomain of the
# desk's domain is still served over http.
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=HTTPS)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=HTTPS)
# Behind a TLS-terminating proxy that says so (X-Forwarded-Proto: https), requests count as secure.
if env.bool("BEHIND_TLS_PROXY", default=HTTPS):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Stored files (attachments) are readable by the service's own user and group only.
FILE_UPLOAD_PERMISSIONS = 0o640
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o750

# --- Auth, i18n -------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Failed attempts allowed per window (count, seconds): per client address and per username when signing in,
# per user for a wrong current password when changing it (console/auth.py).
AUTH_RATE_LIMITS = {
    "login_ip": (env.int("LOGIN_FAILURES_PER_IP", default=50), 900),
    "login_username": (env.int("LOGIN_FAILURES_PER_USERNAME", default=10), 900),
    "password_change_user": (10, 900),
}
AUTHENTICATION_BACKENDS = ["console.auth.RateLimitedModelBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "console:inbox"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("pt-br", "Português (Brasil)"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

# --- Static and media ---------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"
STATIC_ROOT.mkdir(exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))

# --- REST API -----------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": [
        "api.parsers.BoundedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "OmniDesk API",
    "DESCRIPTION": "One customer, one conversation, every channel.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema is for integrators who have a token, like the rest of the API (tests/test_urls.py).
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    # Two models have a "status": each its own enum in the schema.
    "ENUM_NAME_OVERRIDES": {
        "ConversationStatusEnum": "conversations.models.Conversation.Status",
        "MessageStatusEnum": "conversations.models.Message.Status",
    },
}

# --- OmniDesk -----------------------------------------------------------------
# Webhook bodies larger than this are refused with 413 before anything is stored.
WEBHOOK_MAX_BODY_BYTES = env.int("WEBHOOK_MAX_BODY_BYTES", default=5 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = max(WEBHOOK_MAX_BODY_BYTES, 2_621_440)
# OmniDesk-signed requests (api channel, raw MIME posts) whose X-OmniDesk-Timestamp is further than this
# from our clock are refused: a captured request cannot be replayed later.
WEBHOOK_SIGNATURE_MAX_AGE_SECONDS = env.int("WEBHOOK_SIGNATURE_MAX_AGE_SECONDS", default=300)
# Outbound delivery: attempts in all, and the first backoff (doubles each time).
DELIVERY_MAX_ATTEMPTS = env.int("DELIVERY_MAX_ATTEMPTS", default=5)
DELIVERY_BACKOFF_SECONDS = env.float("DELIVERY_BACKOFF_SECONDS", default=2.0)
DELIVERY_BACKOFF_MAX_SECONDS = env.float("DELIVERY_BACKOFF_MAX_SECONDS", default=600.0)
OUTBOUND_HTTP_TIMEOUT_SECONDS = env.float("OUTBOUND_HTTP_TIMEOUT_SECONDS", default=10.0)
# Outgoing webhooks (automation/): targets must be public https URLs; hosts listed here skip the address
# checks and may use http (a receiver on this machine, in tests or development).
WEBHOOK_ALLOWED_HOSTS = env.list("WEBHOOK_ALLOWED_HOSTS", default=[])
WEBHOOK_TIMEOUT_SECONDS = env.float("WEBHOOK_TIMEOUT_SECONDS", default=10.0)
WEBHOOK_MAX_REDIRECTS = env.int("WEBHOOK_MAX_REDIRECTS", default=3)
WEBHOOK_MAX_ATTEMPTS = env.int("WEBHOOK_MAX_ATTEMPTS", default=6)
WEBHOOK_BACKOFF_SECONDS = env.float("WEBHOOK_BACKOFF_SECONDS", default=30.0)
WEBHOOK_BACKOFF_MAX_SECONDS = env.float("WEBHOOK_BACKOFF_MAX_SECONDS", default=3600.0)
# Deliveries that failed for good, in a row, before a subscription is turned off (with a notice).
WEBHOOK_DISABLE_AFTER_FAILURES = env.int("WEBHOOK_DISABLE_AFTER_FAILURES", default=10)
# Automation rules: how many rule-caused events may chain from one root event, and how many automatic
# replies one conversation may get in 24 hours.
AUTOMATION_MAX_DEPTH = env.int("AUTOMATION_MAX_DEPTH", default=5)
AUTOMATION_MAX_AUTO_REPLIES_PER_DAY = env.int("AUTOMATION_MAX_AUTO_REPLIES_PER_DAY", default=3)
# Inbound processing attempts before a raw event stays `failed` for a human.
INBOUND_MAX_ATTEMPTS = env.int("INBOUND_MAX_ATTEMPTS", default=5)
# A customer (identity) sending more inbound messages than this in an hour is
# a runaway exchange (a mail loop, a script): further messages are stored but
# marked, and neither reopen the conversation nor trigger anything automatic.
INBOUND_REOPEN_LIMIT_PER_HOUR = env.int("INBOUND_REOPEN_LIMIT_PER_HOUR", default=30)
# Inbound media the provider only links to is fetched by a task: size limit, attempts, trusted hosts.
MEDIA_FETCH_MAX_BYTES = env.int("MEDIA_FETCH_MAX_BYTES", default=25 * 1024 * 1024)
MEDIA_FETCH_MAX_ATTEMPTS = env.int("MEDIA_FETCH_MAX_ATTEMPTS", default=4)
# False trusts only each channel's api_base_url host (the test suite: nothing leaves 127.0.0.1).
MEDIA_FETCH_TRUST_PROVIDER_HOSTS = env.bool("MEDIA_FETCH_TRUST_PROVIDER_HOSTS", default=True)
# Files agents attach to replies and notes: how many at most per message, size limit, and how long the signed links providers fetch them from stay valid.
ATTACHMENT_MAX_FILES = env.int("ATTACHMENT_MAX_FILES", default=10)
ATTACHMENT_MAX_BYTES = env.int("ATTACHMENT_MAX_BYTES", default=10 * 1024 * 1024)
OUTBOUND_MEDIA_LINK_MAX_AGE_SECONDS = env.int("OUTBOUND_MEDIA_LINK_MAX_AGE_SECONDS", default=7 * 24 * 3600)
# The file types stored and sent, both ways (never SVG or HTML, whatever this says).
ATTACHMENT_ALLOWED_TYPES = env.list("ATTACHMENT_ALLOWED_TYPES", default=[
    "image/jpeg", "image/png", "image/gif", "image/webp", "image/heic", "image/heif",
    "audio/*", "video/*",
    "application/pdf", "text/plain", "text/csv", "text/vcard", "text/x-vcard",
    "application/msword", "application/vnd.ms-excel", "application/vnd.ms-powerpoint",
    "application/vnd.openxmlformats-officedocument.*", "application/vnd.oasis.opendocument.*",
    "application/zip", "application/x-tgsticker",
])
# A stand-in shop page at /demo/shop/ that embeds the web chat (on by default in the embedded mode).
WEBCHAT_DEMO_PAGE = env.bool("WEBCHAT_DEMO_PAGE", default=not DATABASE_URL)
# Region used to read phone numbers written without a country code.
DEFAULT_PHONE_REGION = env.str("DEFAULT_PHONE_REGION", default="BR")
# Set only by the benchmark suite (`make bench`) on the servers it starts: mounts its baseline views.
OMNIDESK_BENCH = env.bool("OMNIDESK_BENCH", default=False)

# --- Email channel (docs/channels/email.md) ------------------------------------
# An email over this size is not imported: a message records its headers and size.
EMAIL_MAX_MESSAGE_BYTES = env.int("EMAIL_MAX_MESSAGE_BYTES", default=25 * 1024 * 1024)
# Attachments over this size (or beyond this count) are listed but not stored.
EMAIL_MAX_ATTACHMENT_BYTES = env.int("EMAIL_MAX_ATTACHMENT_BYTES", default=15 * 1024 * 1024)
EMAIL_MAX_ATTACHMENTS = env.int("EMAIL_MAX_ATTACHMENTS", default=30)
EMAIL_SMTP_TIMEOUT_SECONDS = env.float("EMAIL_SMTP_TIMEOUT_SECONDS", default=30.0)
EMAIL_IMAP_TIMEOUT_SECONDS = env.float("EMAIL_IMAP_TIMEOUT_SECONDS", default=30.0)
# Messages recorded per transaction; a poll that fills a batch goes on at once until the folder is drained.
EMAIL_IMAP_BATCH_SIZE = env.int("EMAIL_IMAP_BATCH_SIZE", default=100)
# Whole messages fetched in one IMAP FETCH, at most this many bytes together (one larger message alone).
EMAIL_IMAP_FETCH_BYTES = env.int("EMAIL_IMAP_FETCH_BYTES", default=32 * 1024 * 1024)
# A poll holding its channel's lock longer than this is presumed dead.
EMAIL_IMAP_LOCK_SECONDS = env.int("EMAIL_IMAP_LOCK_SECONDS", default=600)
# OAuth2 mailboxes (docs/channels/email-google.md, email-microsoft.md): the apps you registered with
# Google Cloud and Microsoft Entra, and their endpoints (base URLs are configuration, so tests use a local fake).
_MICROSOFT_LOGIN = "https://login.microsoftonline.com/" + env.str("EMAIL_OAUTH_MICROSOFT_TENANT",
                                                                   default="organizations")
EMAIL_OAUTH_PROVIDERS = {
    "google": {
        "label": "Google (Gmail, Google Workspace)",
        "client_id": env.str("EMAIL_OAUTH_GOOGLE_CLIENT_ID", default=""),
        "client_secret": env.str("EMAIL_OAUTH_GOOGLE_CLIENT_SECRET", default=""),
        "authorize_url": env.str("EMAIL_OAUTH_GOOGLE_AUTHORIZE_URL",
                                 default="https://accounts.google.com/o/oauth2/v2/auth"),
        "token_url": env.str("EMAIL_OAUTH_GOOGLE_TOKEN_URL", default="https://oauth2.googleapis.com/token"),
        "scope": "https://mail.google.com/",
        # A refresh token is only given with offline access, and again only when consent is asked for.
        "authorize_params": {"access_type": "offline", "prompt": "consent"},
        "imap_host": "imap.gmail.com", "imap_port": 993, "imap_security": "ssl",
        "smtp_host": "smtp.gmail.com", "smtp_port": 587, "smtp_security": "starttls",
    },
    "microsoft": {
        "label": "Microsoft 365 (Exchange Online)",
        "client_id": env.str("EMAIL_OAUTH_MICROSOFT_CLIENT_ID", default=""),
        "client_secret": env.str("EMAIL_OAUTH_MICROSOFT_CLIENT_SECRET", default=""),
        "authorize_url": env.str("EMAIL_OAUTH_MICROSOFT_AUTHORIZE_URL",
                                 default=f"{_MICROSOFT_LOGIN}/oauth2/v2.0/authorize"),
        "token_url": env.str("EMAIL_OAUTH_MICROSOFT_TOKEN_URL", default=f"{_MICROSOFT_LOGIN}/oauth2/v2.0/token"),
        "scope": "offline_access https://outlook.office.com/IMAP.AccessAsUser.All https://outlook.office.com/SMTP.Send",
        "authorize_params": {"prompt": "select_account"},
        "imap_host": "outlook.office365.com", "imap_port": 993, "imap_security": "ssl",
        "smtp_host": "smtp.office365.com", "smtp_port": 587, "smtp_security": "starttls",
    },
}
# An access token is refreshed when it has less than this left, so no poll or send starts with a dying one.
EMAIL_OAUTH_REFRESH_MARGIN_SECONDS = env.int("EMAIL_OAUTH_REFRESH_MARGIN_SECONDS", default=300)
EMAIL_OAUTH_TIMEOUT_SECONDS = env.float("EMAIL_OAUTH_TIMEOUT_SECONDS", default=15.0)
# Provider webhooks signed longer ago than this are refused as replays (0: no check).
EMAIL_PROVIDER_WEBHOOK_MAX_AGE_SECONDS = env.int("EMAIL_PROVIDER_WEBHOOK_MAX_AGE_SECONDS", default=12 * 3600)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # Every eager or periodic task would log a success line a minute; failures still show.
    # httpx logs every request's URL at INFO, and some providers put the credential in it (Telegram's
    # /bot<token>/): only its warnings pass (tests/channels_adapters/test_credentials_in_logs.py).
    "loggers": {"django.channels.server": {"level": "WARNING"}, "celery.app.trace": {"level": "WARNING"},
                "httpx": {"level": "WARNING"}},
}

# --- Web chat -------------------------------------------------------------------
# A visitor token unused for this long starts a new anonymous visitor (each page load renews it).
WEBCHAT_TOKEN_MAX_AGE_SECONDS = env.int("WEBCHAT_TOKEN_MAX_AGE_SECONDS", default=180 * 24 * 3600)
# A verified identity in a token lasts this long: a stolen token does not open a customer's history for months.
WEBCHAT_VERIFIED_TOKEN_MAX_AGE_SECONDS = env.int("WEBCHAT_VERIFIED_TOKEN_MAX_AGE_SECONDS", default=24 * 3600)
# {action: (count, window seconds)}, per visitor ("*_visitor") and per IP address ("*_ip").
WEBCHAT_RATE_LIMITS = {
    "session_ip": (60, 60),
    "connect_ip": (60, 60),
    "message_visitor": (20, 60),
    "message_ip": (120, 60),
    "upload_visitor": (10, 600),
    "upload_ip": (30, 600),
    "typing_visitor": (30, 60),
    "pages_visitor": (60, 60),
    "csat_ip": (20, 600),
    "verify_ip": (30, 600),
}
# One-time codes that prove a typed address: lifetime, wrong tries per code, codes per hour (per visitor and
# per address), and the pause before another code may be asked for.
VERIFICATION_CODE_MAX_AGE_SECONDS = env.int("VERIFICATION_CODE_MAX_AGE_SECONDS", default=600)
VERIFICATION_MAX_ATTEMPTS = env.int("VERIFICATION_MAX_ATTEMPTS", default=5)
VERIFICATION_CODES_PER_HOUR = env.int("VERIFICATION_CODES_PER_HOUR", default=5)
VERIFICATION_CODE_RESEND_SECONDS = env.int("VERIFICATION_CODE_RESEND_SECONDS", default=30)
WEBCHAT_MAX_UPLOAD_BYTES = env.int("WEBCHAT_MAX_UPLOAD_BYTES", default=5 * 1024 * 1024)
WEBCHAT_UPLOAD_CONTENT_TYPES = env.list("WEBCHAT_UPLOAD_CONTENT_TYPES", default=[
    "image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf", "text/plain",
])
# An agent reply the visitor has not seen (widget closed) goes by email after this delay, when possible.
WEBCHAT_EMAIL_FALLBACK_DELAY_SECONDS = env.int("WEBCHAT_EMAIL_FALLBACK_DELAY_SECONDS", default=120)
# A widget that has not pinged for this long is away.
WEBCHAT_VISITOR_PRESENCE_SECONDS = 75
# An agent whose console has not connected or pinged for this long counts as offline (for colleagues
# and for the web chat's "is anyone there"); the console pings three times within it.
AGENT_PRESENCE_SECONDS = env.int("AGENT_PRESENCE_SECONDS", default=90)
# An agent whose last console socket closes stays present this long: a page reload or a short network
# drop reconnects within it and nobody sees them leave (0: offline at once).
AGENT_DISCONNECT_GRACE_SECONDS = env.float("AGENT_DISCONNECT_GRACE_SECONDS", default=8)
# Channel kinds an agent who is away still takes (asynchronous: nobody waits at the screen).
ROUTING_ASYNCHRONOUS_CHANNEL_KINDS = env.list("ROUTING_ASYNCHRONOUS_CHANNEL_KINDS", default=["email"])
CSAT_LINK_MAX_AGE_SECONDS = env.int("CSAT_LINK_MAX_AGE_SECONDS", default=30 * 24 * 3600)

# --- Customer 360 (customers/) and store connectors (commerce/) -----------------
# Profile class: an influencer made this many referrals, or declares this audience ("audience"/"followers").
CUSTOMER_INFLUENCER_MIN_REFERRALS = env.int("CUSTOMER_INFLUENCER_MIN_REFERRALS", default=3)
CUSTOMER_INFLUENCER_MIN_AUDIENCE = env.int("CUSTOMER_INFLUENCER_MIN_AUDIENCE", default=10_000)
# Privacy: raw inbound webhook bodies and attachment files are removed after this many days (0 = kept).
RAW_INBOUND_RETENTION_DAYS = env.int("RAW_INBOUND_RETENTION_DAYS", default=90)
ATTACHMENT_RETENTION_DAYS = env.int("ATTACHMENT_RETENTION_DAYS", default=0)
# A store's order fetch (VTEX, Nuvemshop) is retried this many times before its delivery is marked failed.
STORE_FETCH_MAX_ATTEMPTS = env.int("STORE_FETCH_MAX_ATTEMPTS", default=6)
CELERY_BEAT_SCHEDULE.update({
    "customers-sweep-journeys": {"task": "customers.sweep_journeys", "schedule": 6 * 3600.0},
    "customers-compute-rfm": {"task": "customers.compute_rfm", "schedule": 24 * 3600.0},
    "customers-compute-product-pairs": {"task": "customers.compute_product_pairs", "schedule": 3600.0},
    "customers-apply-retention": {"task": "customers.apply_retention", "schedule": 24 * 3600.0},
    "commerce-apply-retention": {"task": "commerce.apply_retention", "schedule": 24 * 3600.0},
})

# --- Insights (reports, sentiment) ------------------------------------------------
# BLAS threads of the sentence encoder per worker process: more than the cores makes it far slower.
INSIGHTS_SENTIMENT_THREADS = env.int("INSIGHTS_SENTIMENT_THREADS", default=1)
# Score each customer message when it arrives (a task after commit); off, only the periodic sweep scores.
INSIGHTS_SENTIMENT_ON_ARRIVAL = env.bool("INSIGHTS_SENTIMENT_ON_ARRIVAL", default=True)
# Messages scored per encoder call by the sweep (micro-batches cost a third of single calls).
INSIGHTS_SENTIMENT_BATCH = env.int("INSIGHTS_SENTIMENT_BATCH", default=32)
# The business-time function of reports: (start, end, team_id) -> seconds. The default counts the team's
# business calendar (routing), else the opening hours below.
INSIGHTS_BUSINESS_SECONDS = env.str("INSIGHTS_BUSINESS_SECONDS", default="insights.business_time.team_calendar_seconds")
INSIGHTS_OPENING_HOURS = {"weekdays": [0, 1, 2, 3, 4], "start": "09:00", "end": "18:00", "time_zone": TIME_ZONE}
CELERY_BEAT_SCHEDULE.update({
    "insights-score-pending-messages": {"task": "insights.score_pending_messages", "schedule": 300.0},
    "insights-refresh-rollups": {"task": "insights.refresh_rollups", "schedule": 60.0},
    "insights-weekly-summaries": {"task": "insights.send_weekly_summaries", "schedule": 3600.0},
})

# --- Segments, consent and campaigns (marketing/) ---------------------------------
# A whole inbound message equal to one of these (any case, accents ignored) revokes marketing on its channel;
# the value is the language of the confirmation when the customer has none.
MARKETING_OPT_OUT_KEYWORDS = env.dict("MARKETING_OPT_OUT_KEYWORDS", default={
    "SAIR": "pt-br", "PARAR": "pt-br", "PARE": "pt-br", "CANCELAR": "pt-br", "DESCADASTRAR": "pt-br",
    "BAJA": "es", "DAR DE BAJA": "es", "DETENER": "es",
    "STOP": "en", "UNSUBSCRIBE": "en", "STOPALL": "en", "OPTOUT": "en", "END": "en", "QUIT": "en",
})
# Channels on which a campaign needs the customer's current marketing consent (web chat shows it in-session).
MARKETING_CONSENT_REQUIRED = env.list("MARKETING_CONSENT_REQUIRED", default=["whatsapp", "sms", "email"])
# At most this many marketing messages per customer in this many days, across campaigns.
MARKETING_FREQUENCY_CAP = (env.int("MARKETING_FREQUENCY_CAP", default=2), env.int("MARKETING_FREQUENCY_DAYS", default=7))
# Quiet hours (local, in the customer's time_zone attribute or this zone): start, end.
MARKETING_QUIET_HOURS = (env.int("MARKETING_QUIET_START", default=21), env.int("MARKETING_QUIET_END", default=8))
MARKETING_DEFAULT_TIME_ZONE = env.str("MARKETING_DEFAULT_TIME_ZONE", default="America/Sao_Paulo")
# Default sending rate per channel family (messages a minute); each campaign may set its own.
MARKETING_RATE_PER_MINUTE = {"whatsapp": 60, "sms": 60, "email": 120, "webchat": 600}
# WhatsApp does not deliver marketing templates to US numbers (since 2025-04-01).
MARKETING_WHATSAPP_BLOCKED_PREFIXES = env.list("MARKETING_WHATSAPP_BLOCKED_PREFIXES", default=["+1"])
# WhatsApp's per-user marketing cap (131049) is retried once, after this long.
MARKETING_CAP_RETRY_AFTER = timedelta(hours=env.int("MARKETING_CAP_RETRY_HOURS", default=24))
CELERY_BEAT_SCHEDULE.update({
    "marketing-tick": {"task": "marketing.tick", "schedule": 60.0},
    "marketing-recompute-segments": {"task": "marketing.recompute_segments", "schedule": 15 * 60.0},
})
