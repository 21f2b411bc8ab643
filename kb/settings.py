"""The one settings module, configured by environment variables.

Safe by default: DEBUG is off unless asked for, and with DEBUG off the site
insists on HTTPS unless HTTPS=0. `make run` sets what a local server needs.
"""

import ipaddress
import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


TRUE_WORDS = ("1", "true", "yes", "on")
FALSE_WORDS = ("0", "false", "no", "off")


def envbool(name, default):
    """A yes/no variable; anything else stops start-up, so that HTTPS=ture never means "off"."""
    value = os.environ.get(name, "").strip().lower()
    if not value:
        return default
    if value not in TRUE_WORDS + FALSE_WORDS:
        raise ImproperlyConfigured(
            f"{name}={os.environ[name]!r} is neither true nor false: use one of {', '.join(TRUE_WORDS + FALSE_WORDS)}."
        )
    return value in TRUE_WORDS


def envlist(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = envbool("DEBUG", False)
# An empty key is allowed here so that management commands run anywhere;
# kb/wsgi.py refuses to serve without one unless DEBUG is on.
SECRET_KEY = os.environ.get("SECRET_KEY") or "insecure-local-key-do-not-use-in-production"
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS")

INSTALLED_APPS = [
    "kb",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.sitemaps",
    "django.contrib.staticfiles",
    "django_filters",
    "reversion",
    "adminsortable2",
    "axes",
]

MIDDLEWARE = [
    "kb.middleware.ForwardedProtoMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "kb.middleware.BrowserPolicyMiddleware",
    "kb.middleware.DatabaseOutageMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "kb.search_index.ContentTokenMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "kb.middleware.CachePolicyMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a refused sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "kb.urls"
TEST_RUNNER = "kb.test_runner.TestRunner"
WSGI_APPLICATION = "kb.wsgi.application"

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
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=600,
        conn_health_checks=True,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
FIXTURE_DIRS = [BASE_DIR / "fixtures"]


def cache_config(url):
    if url.startswith(("redis://", "rediss://", "unix://")):
        # kb.cache: a Redis that is down is a cache miss. The timeouts bound what a
        # Redis that does not answer at all costs a request.
        return {"BACKEND": "kb.cache.ForgivingRedisCache", "LOCATION": url,
                "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}}
    if url.startswith("dummy://"):
        return {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
    return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "smtp-kb"}


CACHES = {"default": cache_config(os.environ.get("CACHE_URL", "locmem://"))}
# What processes derive from the content and may share through the disk (the search index, made
# in a third of a second, read back in a hundredth): kb.search_index.derived(shared=True). A
# directory only this user writes, since the entries are pickles; DERIVED_CACHE_DIR="" turns it off.
_DERIVED_DIR = os.environ.get("DERIVED_CACHE_DIR", str(BASE_DIR / ".cache" / "derived"))
CACHES["derived"] = ({"BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": _DERIVED_DIR,
                      "TIMEOUT": 7 * 24 * 3600, "OPTIONS": {"MAX_ENTRIES": 50}}
                     if _DERIVED_DIR else {"BACKEND": "django.core.cache.backends.dummy.DummyCache"})

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Admin sign-in that resists guessing (django-axes): after ADMIN_LOGIN_FAILURES wrong
# passwords for one account, or from one client address, sign-in is refused, the right
# password too, until ADMIN_LOCKOUT_MINUTES have passed since the last failure. The
# failures are kept in the database, so every app server sees the same lockout. The
# client address is kb.ratelimit's (TRUSTED_PROXIES decides whose X-Forwarded-For counts).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_FAILURE_LIMIT = int(os.environ.get("ADMIN_LOGIN_FAILURES", "10"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("ADMIN_LOCKOUT_MINUTES", "30")))
# Either one locks: an account guessed at from many addresses, or one address trying many accounts.
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_CLIENT_IP_CALLABLE = "kb.ratelimit.client_address"
AXES_LOCKOUT_TEMPLATE = "admin/locked_out.html"
AXES_HTTP_RESPONSE_CODE = 429
AXES_RESET_ON_SUCCESS = True
# Nothing a visitor sends is logged: not the address, not the account name tried.
AXES_VERBOSE = False
# Successful sign-ins are not recorded: only the failures the lockout counts.
AXES_DISABLE_ACCESS_LOG = True

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
# Where `collectstatic` writes and WhiteNoise serves from.
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT") or BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Pasted bounces go up to 1 MB and uploads up to 10 MB (kb/forms.py checks
# both); Django's own caps sit just above so the form can answer clearly.
DATA_UPLOAD_MAX_MEMORY_SIZE = 11 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 11 * 1024 * 1024
# Uploaded bounces stay in memory: nothing a visitor sends is written to disk.
FILE_UPLOAD_HANDLERS = ["django.core.files.uploadhandler.MemoryFileUploadHandler"]

# "30/m" style; 0 turns the limit off (benchmarks do).
RATE_LIMIT_ANALYZE = os.environ.get("RATE_LIMIT_ANALYZE", "30/m")
# Feedback sent by one client: a person sends a few, a script many.
RATE_LIMIT_FEEDBACK = os.environ.get("RATE_LIMIT_FEEDBACK", "10/h")


def envnetworks(name):
    """Comma-separated addresses or CIDR ranges ("10.0.0.0/8, 127.0.0.1")."""
    try:
        return [ipaddress.ip_network(item, strict=False) for item in envlist(name)]
    except ValueError as error:
        raise ImproperlyConfigured(f"{name}: {error}. Give addresses or CIDR ranges, separated by commas.") from None


# The proxies (load balancers) whose X-Forwarded-For is believed; kb/ratelimit.py
# is the one reader of the client's address (the rate limit's, and the admin's lockout
# through AXES_CLIENT_IP_CALLABLE), and only they may say the visitor came over HTTPS
# (X-Forwarded-Proto, kb.middleware.ForwardedProtoMiddleware). Empty: the peer itself is the client.
TRUSTED_PROXIES = envnetworks("TRUSTED_PROXIES")

HTTPS = envbool("HTTPS", not DEBUG)
if HTTPS:
    SECURE_SSL_REDIRECT = True
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Sent on every page by kb.middleware.BrowserPolicyMiddleware. No inline script or
# style anywhere, the admin's included (Django 5.2's admin reads its data from
# data- attributes), so neither needs 'unsafe-inline' nor a nonce; a nonce would
# also defeat kb/page_cache.py, which serves one rendered page to everyone.
CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])
# CSP_REPORT_ONLY=1: browsers report what the policy would block (in the console,
# and to CSP_REPORT_URI if set) but block nothing; for trying a change of policy first.
CSP_REPORT_ONLY = envbool("CSP_REPORT_ONLY", False)
CSP_REPORT_URI = os.environ.get("CSP_REPORT_URI", "")
# Powerful browser features the site never uses, switched off for it and anything it embeds.
PERMISSIONS_POLICY = ", ".join(f"{feature}=()" for feature in (
    "accelerometer", "camera", "geolocation", "gyroscope", "magnetometer", "microphone",
    "payment", "usb",
))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    # 404s for unknown codes are normal traffic, not warnings.
    "loggers": {
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
        # Each failed admin sign-in is a row the admin shows (Axes > Access attempts), not a log line.
        "axes": {"handlers": ["console"], "level": "ERROR", "propagate": False},
    },
}
