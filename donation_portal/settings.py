"""Blood Bond settings: every knob from the environment; the domain's numbers (DOMAIN.md)
are in ``settings_domain.py``, imported below.

The embedded default (no variable set) is a development portal on a SQLite file with a
filesystem Celery broker under ``var/``, so a fresh clone runs without installing a service.
Production sets DEBUG=0, SECRET_KEY, DATABASE_URL (PostgreSQL) and CELERY_BROKER_URL (Redis).
See .env.example for the full list.

Past ~400 lines on purpose: a flat list of knobs, grouped by section, is read top to bottom;
the domain's numbers already live apart.
"""

import re
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from . import network
from .env import env_bool, env_int, env_list, env_rate, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

# Where `make run` listens (Procfile.dev hands it to runserver). Bound beyond this machine
# (a camp laptop serving the phones on its Wi-Fi: 0.0.0.0:8000), the embedded default turns
# DEBUG off, answers to the machine's own private addresses, and links messages there.
PORTAL_BIND = network.parse_bind(env_str("PORTAL_BIND") or "127.0.0.1:8000")
PORTAL_ON_NETWORK = not PORTAL_BIND.is_local
_ADDRESSES = network.machine_addresses() if PORTAL_BIND.is_wildcard else []

DEBUG = env_bool("DEBUG", not PORTAL_ON_NETWORK)

_DEV_SECRET = "django-insecure-embedded-default-do-not-use-in-production"  # noqa: S105


def _network_secret() -> str:
    """`make run` on a camp network: a random key kept in VAR_DIR (made once, owner-only),
    since the published development key must not sign sessions others can reach."""
    import secrets

    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.touch(mode=0o600)
        path.write_text(secrets.token_urlsafe(50))
    return path.read_text().strip()


SECRET_KEY = env_str("SECRET_KEY") or (
    _DEV_SECRET if DEBUG else _network_secret() if PORTAL_ON_NETWORK else None
)
if not SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")

# Production names its hosts; `make run` answers to the local names plus, on a network, the
# machine's private addresses (or the one bound) and PORTAL_HOSTS.
ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS",
    network.allowed_hosts(PORTAL_BIND, addresses=_ADDRESSES, extra=env_list("PORTAL_HOSTS", [])),
)
CSRF_TRUSTED_ORIGINS = env_list(
    "CSRF_TRUSTED_ORIGINS",
    network.csrf_trusted_origins(PORTAL_BIND, ALLOWED_HOSTS) if PORTAL_ON_NETWORK else [],
)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "crispy_forms",
    "crispy_bootstrap5",
    "treebeard",
    "axes",
    # The project itself, for its management commands (load_demo); it has no models.
    "donation_portal",
    "accounts",
    "portal",
    "donors",
    "camps",
    "thalassemia",
    "notifications",
    "calldesk",
    "emergency",
    "dashboard",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Below whitenoise, so static files keep their long cache and only pages and API
    # answers (which may hold personal data) are marked no-store.
    "accounts.middleware.NoStoreMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # After authentication: it needs to know whether the sender is signed in.
    "accounts.middleware.AnonymousBodyCapMiddleware",
    # Numbers typed without a country code are read in the person's force's region.
    "donors.phones.RegionMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Opens the read-replica scope for the dashboard and the exports (portal/dbrouter.py);
    # without DATABASE_REPLICA_URL it does nothing.
    "portal.dbrouter.ReplicaReadsMiddleware",
    # Axes must come last: it turns a locked-out login into its lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "donation_portal.urls"
WSGI_APPLICATION = "donation_portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.portal",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------------------
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60, minimum=0),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server read while the Celery worker writes; IMMEDIATE transactions
    # take the write lock up front so two writers queue instead of failing half-way.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
# A read replica (a streaming standby of the primary), read by the dashboard and the
# exports only; everything else, and every write, uses the primary (portal/dbrouter.py).
# Unset: no "replica" alias, and everything reads the primary.
if env_str("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = dj_database_url.parse(
        env_str("DATABASE_REPLICA_URL"),
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60, minimum=0),
        conn_health_checks=True,
    )
    # Tests read the test database through the alias (a real second database is set up by
    # tests/portal/test_replica_router.py itself).
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["portal.dbrouter.ReplicaRouter"]
# DATABASE_POOLER=pgbouncer: the connections go through PgBouncer in transaction mode. A
# server-side cursor (QuerySet.iterator(), the donor export's stream) outlives the
# transaction PgBouncer lends a server for, so Django must not use them; session state
# (SET, session advisory locks, LISTEN) is not kept either: the code uses none
# (docs/operations.md, "PgBouncer").
DATABASE_POOLER = (env_str("DATABASE_POOLER") or "").strip().lower()
if DATABASE_POOLER not in ("", "pgbouncer"):
    raise ImproperlyConfigured("DATABASE_POOLER must be empty or 'pgbouncer'.")
if DATABASE_POOLER == "pgbouncer":
    for _alias in DATABASES.values():
        _alias["DISABLE_SERVER_SIDE_CURSORS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache -----------------------------------------------------------------------------
# Shared by every process (rate limits must count across web workers): Redis in production
# (CACHE_URL=redis://...), files under var/ on the embedded default.
CACHE_URL = env_str("CACHE_URL", "")
if CACHE_URL.startswith(("redis://", "rediss://")):
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
    }
elif CACHE_URL:
    raise ImproperlyConfigured(f"CACHE_URL={CACHE_URL!r}: only redis:// URLs are supported.")
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

# --- Auth -------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "accounts.backends.UnitModelBackend",  # the user with their unit, in one query
    # Sessions signed in before the line above name this one: kept so that nobody is signed
    # out by the upgrade (remove once SESSION_COOKIE_AGE has passed).
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Brute-force protection on the login form and the API token endpoint.
AXES_ENABLED = env_bool("AXES_ENABLED", True)
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 30, minimum=1))
AXES_RESET_ON_SUCCESS = True
# A lock holds a username *from one address*: five wrong passwords typed by someone else
# elsewhere cannot lock a real user out (usernames like "admin" are guessable). Each address
# also has its own ceiling across all usernames (SIGNIN_RATE_PER_ADDRESS, below).
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"

# --- Sessions and security --------------------------------------------------------------
# Sessions stay in the database (they outlive a cache flush) and are read from the cache:
# one query fewer on every signed-in request (the camp table's record, issue 12). Sign-out
# and a password change go through Django's session API, which clears both.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600, minimum=300)
# Cookies travel over TLS only in production (DEBUG off) unless SECURE_COOKIES=0 says the
# deployment really is plain HTTP; `make run` on a camp's Wi-Fi is plain HTTP.
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG and not PORTAL_ON_NETWORK)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
BEHIND_TLS_PROXY = env_bool("BEHIND_TLS_PROXY", False)
# Behind a TLS proxy a plain-HTTP request is redirected to HTTPS (the proxy says which).
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", BEHIND_TLS_PROXY)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if BEHIND_TLS_PROXY else None
# HSTS: on by default behind a TLS proxy (a year), off on plain HTTP where it would lock
# browsers out; SECURE_HSTS_SECONDS=0 turns it off, any other number sets it.
SECURE_HSTS_SECONDS = env_int(
    "SECURE_HSTS_SECONDS", 365 * 24 * 3600 if BEHIND_TLS_PROXY else 0, minimum=0
)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
# Preloading is hard to undo, so it is the deployer's explicit choice.
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
# check --deploy would nag for preload; that decision is the deployer's, not a default.
SILENCED_SYSTEM_CHECKS = ["security.W021"]
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The roll-ups' covering indexes (INCLUDE) are PostgreSQL's; SQLite builds them without
    # the extra columns, which is all a laptop needs. Said once here, not on every command.
    SILENCED_SYSTEM_CHECKS.append("models.W040")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Anonymous pages (pledge, sign-in, token, password reset) take small forms only: a larger
# body is refused with 413 before it is read (accounts.middleware.AnonymousBodyCapMiddleware).
ANON_MAX_BODY_BYTES = env_int("ANON_MAX_BODY_BYTES", 64 * 1024, minimum=1024)
# Every other form or JSON body (uploads are files and have their own caps).
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 2_621_440, minimum=65536)

# Content-Security-Policy (django-csp): scripts only from our own static files, no inline
# script anywhere (confirmations are data-confirm attributes read by static/js/confirm.js).
# Inline styles stay allowed: htmx injects its indicator style and a few templates size
# cells with style attributes; they cannot run code.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        # The camp table's service worker (static/js/camp_sw.js, served at /camps/table-sw.js).
        "worker-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# The audit log records the client address; trust X-Forwarded-For only behind a known proxy.
AUDIT_TRUST_X_FORWARDED_FOR = env_bool("AUDIT_TRUST_X_FORWARDED_FOR", False)

# --- Internationalisation ---------------------------------------------------------------
LANGUAGE_CODE = "en"
# Indian English dates (23 Nov 2026) wherever a template or form uses the default format.
FORMAT_MODULE_PATH = ["donation_portal.formats"]
LANGUAGES = [("en", _("English")), ("hi", _("Hindi")), ("vi", _("Vietnamese"))]
# The language chosen stays chosen: a year, not the browser session (and signing in applies
# the user's stored choice, accounts.views.LoginView).
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SAMESITE = "Lax"
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "Asia/Kolkata")
USE_I18N = True
USE_TZ = True

# --- Static files -----------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "staticfiles")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns on every start otherwise
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        # Hashed, compressed files in production; plain files while developing and testing,
        # and from `make run` on a camp network, where nobody has run collectstatic.
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG or PORTAL_ON_NETWORK
        else "whitenoise.storage.CompressedManifestStaticFilesStorage",
    },
}
# With DEBUG off, runserver serves no static file: whitenoise serves them straight from
# the app and project folders (no collectstatic) on `make run`'s camp network.
WHITENOISE_USE_FINDERS = DEBUG or PORTAL_ON_NETWORK
MEDIA_ROOT = VAR_DIR / "media"

# --- Email ------------------------------------------------------------------------------
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Blood Bond <noreply@localhost>")

# --- Celery -----------------------------------------------------------------------------
# The embedded default is kombu's filesystem transport: a real broker shared by separate
# web, worker and beat processes, with no server to install. Production uses Redis.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL") or "filesystem://"
if CELERY_BROKER_URL.startswith("filesystem://"):
    _broker_dir = VAR_DIR / "broker"
    (_broker_dir / "processed").mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir),
        "data_folder_out": str(_broker_dir),
        "processed_folder": str(_broker_dir / "processed"),
        "store_processed": False,
        # Broadcast (remote control) messages; kombu's default is ./control in the cwd.
        "control_folder": str(_broker_dir / "control"),
    }
else:
    # Longer than any retry countdown, so Redis never redelivers a task that is merely
    # waiting (Celery's documented caveat for the Redis transport).
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 3600, minimum=60),
        # redis-py waits for ever on a host that drops packets; a web request that queues
        # a task must learn "broker down" in seconds, not hold a worker for minutes.
        "socket_connect_timeout": env_int("CELERY_BROKER_CONNECT_TIMEOUT", 2, minimum=1),
    }
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_TIMEOUT = env_int("CELERY_BROKER_CONNECT_TIMEOUT", 2, minimum=1)
# A task queued from a click (resend, import, export, an emergency's first wave) tries the
# broker twice, then the page says so (Celery's default retries 3 times, ~2 s when refused).
# Nothing is lost: the row stays pending and beat's next dispatch queues it.
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 300, minimum=10)
CELERY_TASK_SOFT_TIME_LIMIT = CELERY_TASK_TIME_LIMIT - 5
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    "accounts-clear-expired-sessions": {
        "task": "accounts.tasks.clear_expired_sessions",
        "schedule": crontab(hour=3, minute=15),
    },
}

# --- REST API ---------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "accounts.api.authentication.ExpiringTokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env_str("API_THROTTLE_ANON", "30/minute"),
        "user": env_str("API_THROTTLE_USER", "600/minute"),
        # The token endpoint answers passwords: few tries a minute per address.
        "token": env_str("API_THROTTLE_TOKEN", "10/minute"),
    },
    # DRF's parsers, with JSON that answers 400 to a body nested too deeply.
    "DEFAULT_PARSER_CLASSES": [
        "accounts.api.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "accounts.api.schema.PortalAutoSchema",
    "DATE_FORMAT": "iso-8601",
    # A service's ValidationError is a 400 field map wherever it is raised.
    "EXCEPTION_HANDLER": "accounts.api.exceptions.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Blood Bond API",
    "DESCRIPTION": "Blood donation drives and thalassaemia transfusion calendars, "
    "scoped to the caller's police units.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI served from our own static files: no CDN at run time.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # One schema name per choice set that several fields share.
    "ENUM_NAME_OVERRIDES": {"DeferralCategoryEnum": "donors.choices.DeferralCategory"},
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Portal -----------------------------------------------------------------------------
PORTAL_NAME = env_str("PORTAL_NAME", "Blood Bond")
# The name printed on certificates and reports: the force that runs this portal.
FORCE_NAME = env_str("FORCE_NAME", "Kanpur Nagar Police Commissionerate")
PAGE_SIZE = env_int("PAGE_SIZE", 25, minimum=5)
# Long lists (the donor registry) count exactly up to this many rows, and above it show
# the database's estimate ("about 1,000,000"): accounts.pagination.
LIST_EXACT_COUNT_LIMIT = env_int("LIST_EXACT_COUNT_LIMIT", 10_000, minimum=100)
# The portal's public address: every absolute link in a message (SMS, WhatsApp, email: a
# donor's opt-out link, a request to confirm, a password reset) starts with it. Default:
# where `make run` listens, as a phone on the same network reaches it. PORTAL_BASE_URL is
# its older name, still read.
SITE_URL = (
    env_str("SITE_URL")
    or env_str("PORTAL_BASE_URL")
    or network.site_url(PORTAL_BIND, addresses=_ADDRESSES)
).rstrip("/")
if not re.fullmatch(r"https?://[^/\s]+(/\S*)?", SITE_URL):
    raise ImproperlyConfigured(f"SITE_URL={SITE_URL!r}: write it like https://blood.example.org")
# The furthest ahead, in years from today, a date in a query string may be (``on``, ``until``,
# ``to``, list filters); further, or before 1900, is a 400 / a form error.
QUERY_DATE_MAX_YEARS_AHEAD = env_int("QUERY_DATE_MAX_YEARS_AHEAD", 5, minimum=1)

# --- The domain's numbers: donors, camps, children, dashboard, reminders -----------------
# In their own module (DOMAIN.md's numbers, each an environment variable with the India
# default), so this one reads as the portal's plumbing.
from .settings_domain import *  # noqa: E402, F403

# --- Sign-in and API token limits --------------------------------------------------------
# Sign-in attempts from one address, whatever the username (a station's shared address
# signs in many people: generous, but it stops a spray over guessed usernames).
SIGNIN_RATE_PER_ADDRESS = env_rate("SIGNIN_RATE_PER_ADDRESS", "60/h")
# Password-reset emails: per requesting address and per account asked for.
PASSWORD_RESET_RATE_PER_ADDRESS = env_rate("PASSWORD_RESET_RATE_PER_ADDRESS", "10/h")
PASSWORD_RESET_RATE_PER_ACCOUNT = env_rate("PASSWORD_RESET_RATE_PER_ACCOUNT", "3/h")
# Camp-table lookups by mobile number, per user: a busy table finds a donor a minute or so;
# a script walking through numbers is stopped.
CAMP_TABLE_LOOKUP_RATE = env_rate("CAMP_TABLE_LOOKUP_RATE", "120/h")
# API tokens expire; a password change and signing out revoke them.
API_TOKEN_TTL = timedelta(days=env_int("API_TOKEN_TTL_DAYS", 30, minimum=1))

# --- Reminders and the outbox (notifications/, DESIGN.md "Reminders") -------------------
# A backend per channel by dotted path, like EMAIL_BACKEND. Embedded default: SMS and
# WhatsApp written to files under NOTIFY_FILE_DIR, email through Django's mail.
NOTIFY_BACKENDS = {
    "sms": env_str("NOTIFY_SMS_BACKEND", "notifications.backends.file.Backend"),
    "whatsapp": env_str("NOTIFY_WHATSAPP_BACKEND", "notifications.backends.file.Backend"),
    "email": env_str("NOTIFY_EMAIL_BACKEND", "notifications.backends.email.Backend"),
}
NOTIFY_DEFAULT_CHANNEL = env_str("NOTIFY_DEFAULT_CHANNEL", "sms")
if NOTIFY_DEFAULT_CHANNEL not in NOTIFY_BACKENDS:
    raise ImproperlyConfigured(f"NOTIFY_DEFAULT_CHANNEL={NOTIFY_DEFAULT_CHANNEL!r} is unknown.")
NOTIFY_FILE_DIR = Path(env_str("NOTIFY_FILE_DIR", str(VAR_DIR / "messages")))
# The SMS gateway (notifications.backends.sms.Backend): empty until a provider is chosen.
NOTIFY_SMS_URL = env_str("NOTIFY_SMS_URL", "")
NOTIFY_SMS_API_KEY = env_str("NOTIFY_SMS_API_KEY", "")
NOTIFY_SMS_SENDER_ID = env_str("NOTIFY_SMS_SENDER_ID", "")
# India: the DLT-registered principal entity and, per message template, its DLT template id
# written "template=id,template=id".
NOTIFY_SMS_DLT_ENTITY_ID = env_str("NOTIFY_SMS_DLT_ENTITY_ID", "")
NOTIFY_SMS_DLT_TEMPLATE_IDS = dict(
    item.split("=", 1) for item in env_list("NOTIFY_SMS_DLT_TEMPLATE_IDS", []) if "=" in item
)
# WhatsApp: a webhook taking the Cloud API's message JSON, and its bearer token.
NOTIFY_WHATSAPP_URL = env_str("NOTIFY_WHATSAPP_URL", "")
NOTIFY_WHATSAPP_TOKEN = env_str("NOTIFY_WHATSAPP_TOKEN", "")
# Every SMS is rendered to fit this many parts (a long place name is shortened; the linked
# page says it in full): 2 parts = 306 GSM characters or 134 in Hindi (UCS-2).
NOTIFY_SMS_MAX_PARTS = env_int("NOTIFY_SMS_MAX_PARTS", 2, minimum=1)
# The base of the short links in SMS (/r/<code>, /c/<code>): a short domain pointing to
# the portal saves characters in every message. Empty: SITE_URL.
NOTIFY_LINK_BASE_URL = env_str("NOTIFY_LINK_BASE_URL", "")
# Unknown short-link codes one client address may try (guessing); known ones never count.
SHORT_LINK_MISS_RATE_LIMIT = env_rate("SHORT_LINK_MISS_RATE_LIMIT", "30/h")
# Inbound answers (POST /hooks/sms/<provider>/, /hooks/missed-call/<provider>/): each
# provider's secret; a provider without one refuses every post (403). No defaults.
INBOUND_SECRETS = {
    "generic": env_str("INBOUND_GENERIC_SECRET", ""),
    "twilio": env_str("INBOUND_TWILIO_AUTH_TOKEN", ""),
    "exotel": env_str("INBOUND_EXOTEL_TOKEN", ""),
    "whatsapp": env_str("INBOUND_WHATSAPP_APP_SECRET", ""),
}
# The token Meta's webhook set-up sends back (GET hub.verify_token) for WhatsApp.
INBOUND_WHATSAPP_VERIFY_TOKEN = env_str("INBOUND_WHATSAPP_VERIFY_TOKEN", "")
# A post larger than this is refused (413) before it is read; posts per client address.
INBOUND_MAX_BODY_BYTES = env_int("INBOUND_MAX_BODY_BYTES", 65536, minimum=1024)
INBOUND_RATE_LIMIT = env_rate("INBOUND_RATE_LIMIT", "600/m")
# How many days back the call desk lists replies and missed calls that need a person.
CALLDESK_INBOUND_DAYS = env_int("CALLDESK_INBOUND_DAYS", 7, minimum=1)
NOTIFY_HTTP_TIMEOUT = env_int("NOTIFY_HTTP_TIMEOUT", 10, minimum=1)
# Quiet hours, local time: SMS and WhatsApp wait until they end; email may go.
NOTIFY_QUIET_START = env_str("NOTIFY_QUIET_START", "21:00")
NOTIFY_QUIET_END = env_str("NOTIFY_QUIET_END", "08:00")
for _name in ("NOTIFY_QUIET_START", "NOTIFY_QUIET_END"):
    if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", globals()[_name]):
        raise ImproperlyConfigured(f"{_name} must be written HH:MM.")
NOTIFY_QUIET_CHANNELS = env_list("NOTIFY_QUIET_CHANNELS", ["sms", "whatsapp"])
# Topics that go at any hour: a one-time code the person is waiting for, on the page.
NOTIFY_QUIET_EXEMPT_TOPICS = env_list("NOTIFY_QUIET_EXEMPT_TOPICS", ["phone_code"])
# Attempts before a message stays failed, and the backoff: base × 2^(attempt-1) seconds,
# capped (always below the broker's visibility timeout: retries are rows, not ETA tasks).
NOTIFY_MAX_ATTEMPTS = env_int("NOTIFY_MAX_ATTEMPTS", 5, minimum=1)
NOTIFY_RETRY_BASE_SECONDS = env_int("NOTIFY_RETRY_BASE_SECONDS", 60, minimum=1)
NOTIFY_RETRY_MAX_SECONDS = min(
    env_int("NOTIFY_RETRY_MAX_SECONDS", 1800, minimum=1),
    CELERY_BROKER_TRANSPORT_OPTIONS.get("visibility_timeout", 3600) - 60,
)
NOTIFY_DISPATCH_BATCH = env_int("NOTIFY_DISPATCH_BATCH", 200, minimum=1)
# Minutes after which a row still "sending" is taken for a dead worker's and released.
NOTIFY_STUCK_MINUTES = env_int("NOTIFY_STUCK_MINUTES", 10, minimum=1)
if NOTIFY_STUCK_MINUTES * 60 <= CELERY_TASK_TIME_LIMIT:
    # A send still running would be released and sent twice.
    raise ImproperlyConfigured("NOTIFY_STUCK_MINUTES must outlast CELERY_TASK_TIME_LIMIT.")
# Minutes between two runs of each reminders scan (thalassaemia, donors, camps).
NOTIFY_SCAN_MINUTES = env_int("NOTIFY_SCAN_MINUTES", 5, minimum=1)
# The same in seconds, for a short trial run (CI's production smoke, .ci/production_smoke):
# when set it wins over NOTIFY_SCAN_MINUTES. Unset: NOTIFY_SCAN_MINUTES × 60.
NOTIFY_SCAN_SECONDS = env_int("NOTIFY_SCAN_SECONDS", NOTIFY_SCAN_MINUTES * 60, minimum=1)
# Seconds between two dispatches (due pending messages handed to the workers): a message
# written by a scan waits at most this long. Default: 60.
NOTIFY_DISPATCH_SECONDS = env_int("NOTIFY_DISPATCH_SECONDS", 60, minimum=1)
# The figures' roll-ups (dashboard/rollups.py): the beat applies the changes every so many
# minutes; a page or API read applies at most this many pending changes itself; more than
# DASHBOARD_FIGURES_REBUILD_OVER pending (a bulk load) rebuilds every table instead.
DASHBOARD_FIGURES_REFRESH_MINUTES = env_int("DASHBOARD_FIGURES_REFRESH_MINUTES", 5, minimum=1)
DASHBOARD_FIGURES_INLINE_CHANGES = env_int("DASHBOARD_FIGURES_INLINE_CHANGES", 200, minimum=0)
DASHBOARD_FIGURES_REBUILD_OVER = env_int("DASHBOARD_FIGURES_REBUILD_OVER", 200_000, minimum=1)
# The public impact page (/impact/): figures a visitor's address may have counted afresh
# (a cached page is free) before it answers 429, so walking every unit id cannot load the
# database. Default: 120/h.
IMPACT_RATE_LIMIT = env_rate("IMPACT_RATE_LIMIT", "120/h")
CELERY_BEAT_SCHEDULE.update(
    {
        "thalassemia-reminders-scan": {
            "task": "thalassemia.tasks.scan_reminders",
            "schedule": timedelta(seconds=NOTIFY_SCAN_SECONDS),
        },
        "donors-reminders-scan": {
            "task": "donors.tasks.scan_reminders",
            "schedule": timedelta(seconds=NOTIFY_SCAN_SECONDS),
        },
        "camps-reminders-scan": {
            "task": "camps.tasks.scan_reminders",
            "schedule": timedelta(seconds=NOTIFY_SCAN_SECONDS),
        },
        "notifications-dispatch": {
            "task": "notifications.tasks.dispatch",
            "schedule": timedelta(seconds=NOTIFY_DISPATCH_SECONDS),
        },
        "dashboard-refresh-figures": {
            "task": "dashboard.tasks.refresh_figures",
            "schedule": timedelta(minutes=DASHBOARD_FIGURES_REFRESH_MINUTES),
        },
        # Emergency requests: each open request's next wave, when due (emergency/waves.py).
        "emergency-waves": {
            "task": "emergency.tasks.run_waves",
            "schedule": timedelta(minutes=1),
        },
        "notifications-sweep": {
            "task": "notifications.tasks.sweep",
            "schedule": timedelta(minutes=5),
        },
    }
)

# The eligible pool's steps (donors/pool.py): fold the new ones together and the past days
# onto today. Between runs the counts stay exact; only the rows to sum grow.
DONOR_POOL_COMPACT_MINUTES = env_int("DONOR_POOL_COMPACT_MINUTES", 60, minimum=1)
CELERY_BEAT_SCHEDULE["donors-compact-eligible-pool"] = {
    "task": "donors.tasks.compact_eligible_pool",
    "schedule": timedelta(minutes=DONOR_POOL_COMPACT_MINUTES),
}

# --- Logging ----------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        "axes": {"level": "WARNING"},
        # `make run` on a camp network: every phone's request would scroll the printed
        # address and sign-ins away; errors (4xx/5xx are warnings and errors) still show.
        "django.server": {"level": "WARNING" if PORTAL_ON_NETWORK else "INFO"},
        # The filesystem broker has no host name; kombu says so on every connection.
        "kombu.connection": {"level": "ERROR"},
    },
}
