"""Ringfence settings. Everything that differs between a laptop and production comes from the environment.

With no environment at all you get a development server on an embedded SQLite database in ``var/``.
With ``DJANGO_DEBUG=0`` the settings refuse to load unless a secret key and allowed hosts are given,
and every production safeguard (secure cookies, HSTS, CSP) is switched on.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_bool("DJANGO_DEBUG", True)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG=0.")
    SECRET_KEY = "django-insecure-development-only-key-not-for-production-use-0123456789"

ALLOWED_HOSTS = [h.strip() for h in os.environ.get("DJANGO_ALLOWED_HOSTS", "").split(",") if h.strip()]
if not ALLOWED_HOSTS:
    if not DEBUG:
        raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS must be set when DJANGO_DEBUG=0 (comma-separated).")
    ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]

CSRF_TRUSTED_ORIGINS = [o.strip() for o in os.environ.get("DJANGO_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "djmoney",
    "simple_history",
    "django_otp",  # the second factor at sign-in (core.two_factor)
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",  # recovery codes
    "django_tasks",  # Django 6.0's tasks API, backported: long work runs in a worker, not in the request
    "django_tasks_db",
    # Ringfence apps, in the one direction they may depend on each other:
    # core <- funds <- ledger <- corporate <- income <- grants <- spending <- payments <- banking <- yearend
    #   <- monitoring <- documents <- notifications <- portal <- reports <- transparency <- jobs <- demo
    "core",
    "funds",
    "ledger",
    "corporate",  # the mapping to the corporate chart and the monthly summary journal handed to it
    "income",
    "grants",
    "spending",  # suppliers, orders and contracts, supplier invoices
    "payments",  # payment runs, delegated limits, the payment file for the bank
    "banking",  # bank statements and the monthly bank reconciliation
    "yearend",  # accruals, the year-end run (return, carry forward, lapse) and repayments to funders
    "monitoring",  # budget monitoring: RAG thresholds and the budget holder's commentary per line and month
    "documents",  # files attached to records (award letters, agreements, evidence, bank letters), checked and kept
    "notifications",  # reminders (send_reminders, daily) and each person's notifications in the application
    "portal",  # the provider portal: invitations, a provider's own grants, offers, returns and messages
    "reports",
    "transparency",  # what is published, and the public transparency page
    "jobs",  # long work (imports, packs, the year end) queued for the worker, with its progress and result
    "demo",  # seed_demo: a fictional West Midlands scenario posted through the real services
]

MIDDLEWARE = [
    "core.middleware.RequestIdMiddleware",  # first: every response and log record carries the request's id
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "core.middleware.SessionRefreshMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "core.middleware.ContentSecurityPolicyMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "config.urls"

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
                "core.context_processors.ringfence",
                "notifications.context_processors.unread",  # the header's "Notifications (N unread)": one count
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

# --- Database -------------------------------------------------------------------------------------------------
# DATABASE_URL, e.g. postgresql://ringfence:secret@127.0.0.1:5432/ringfence. Default: SQLite file in var/.
DEFAULT_SQLITE = f"sqlite:///{BASE_DIR / 'var' / 'ringfence.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(os.environ.get("DATABASE_URL") or DEFAULT_SQLITE, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Wait for a writer rather than failing at once; IMMEDIATE so a write transaction takes the lock up front.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # WAL: readers (and sign-ins) never wait for a writer, and a writer waits up to the busy timeout for another.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- The ledger's anchor file (ledger.anchors) -------------------------------------------------------------------
# At each month-end close and issued pack the chain head is appended here, signed with RINGFENCE_ANCHOR_KEY: a file
# outside the database, with a key the database never holds. Production requires both; development keeps a file per
# database under var/anchors/ with a key derived from the secret key.
RINGFENCE_ANCHOR_PATH = os.environ.get("RINGFENCE_ANCHOR_PATH", "")
RINGFENCE_ANCHOR_KEY = os.environ.get("RINGFENCE_ANCHOR_KEY", "")
if not DEBUG and not (RINGFENCE_ANCHOR_PATH and RINGFENCE_ANCHOR_KEY):
    raise ImproperlyConfigured(
        "RINGFENCE_ANCHOR_PATH and RINGFENCE_ANCHOR_KEY must be set when DJANGO_DEBUG=0: the ledger's chain head is "
        "anchored in that file, outside the database (README, 'Anchoring the ledger')."
    )
if not RINGFENCE_ANCHOR_PATH:
    RINGFENCE_ANCHOR_PATH = str(BASE_DIR / "var" / "anchors" / f"{Path(str(DATABASES['default']['NAME'])).stem}.jsonl")
if not RINGFENCE_ANCHOR_KEY:
    import hashlib
    import hmac

    RINGFENCE_ANCHOR_KEY = hmac.new(SECRET_KEY.encode(), b"ringfence ledger anchors", hashlib.sha256).hexdigest()

# --- Background tasks ------------------------------------------------------------------------------------------
# Imports, packs and the year end run in a worker (`python manage.py db_worker`), queued in the database itself, so
# no other server is needed. RINGFENCE_TASKS_IMMEDIATE=1 runs them inside the request instead (tests only).
TASKS = {
    "default": {
        "BACKEND": "django_tasks.backends.immediate.ImmediateBackend"
        if env_bool("RINGFENCE_TASKS_IMMEDIATE", False)
        else "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}

# --- Accounts and sessions -------------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
SESSION_COOKIE_AGE = int(os.environ.get("DJANGO_SESSION_SECONDS", 30 * 60))  # expiry after inactivity
# A request pushes the expiry forward when the session was last saved over a minute ago (core.middleware.
# SessionRefreshMiddleware), so reading pages writes nothing most of the time: an idle session still ends.
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# Failed-login lock-out (core.lockout): this many failures within the window locks the user and the address.
LOCKOUT_FAILURES = int(os.environ.get("RINGFENCE_LOCKOUT_FAILURES", 5))
LOCKOUT_MINUTES = int(os.environ.get("RINGFENCE_LOCKOUT_MINUTES", 15))
# Per address the number is higher: an office shares one address. Behind N trusted reverse proxies, set
# RINGFENCE_PROXY_COUNT=N so the client address is read from X-Forwarded-For (ignored otherwise: anyone can send it).
LOCKOUT_ADDRESS_FAILURES = int(os.environ.get("RINGFENCE_LOCKOUT_ADDRESS_FAILURES", 4 * LOCKOUT_FAILURES))
RINGFENCE_PROXY_COUNT = int(os.environ.get("RINGFENCE_PROXY_COUNT", 0))
AUTHENTICATION_BACKENDS = ["core.lockout.LockoutBackend"]  # Django's model backend plus the lock-out

# --- Production safeguards ---------------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)

# --- Locale: en-GB, Europe/London, pounds sterling only --------------------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = False  # money is formatted by core.templatetags.money, never by the locale machinery
CURRENCIES = ("GBP",)
CURRENCY_CHOICES = [("GBP", "Pound sterling")]
DEFAULT_CURRENCY = "GBP"

# --- Static files -------------------------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploaded documents (documents app) and the jobs' files: on the filesystem under MEDIA_ROOT by default, or in an
# S3-compatible store when RINGFENCE_S3_BUCKET is set. No URL serves MEDIA_ROOT: a document is only ever sent by
# documents:download, to people who may see its record (there is deliberately no MEDIA_URL pattern).
RINGFENCE_S3_BUCKET = os.environ.get("RINGFENCE_S3_BUCKET", "")
if RINGFENCE_S3_BUCKET:
    DEFAULT_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": RINGFENCE_S3_BUCKET,
            "endpoint_url": os.environ.get("RINGFENCE_S3_ENDPOINT_URL") or None,  # None: Amazon S3 itself
            "region_name": os.environ.get("RINGFENCE_S3_REGION") or os.environ.get("AWS_DEFAULT_REGION") or None,
            # access_key / secret_key: read by boto3 from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY
            "default_acl": "private",
            "querystring_auth": True,  # never a public URL; the application streams every file itself
            "file_overwrite": False,
            "location": os.environ.get("RINGFENCE_S3_PREFIX", ""),
        },
    }
else:
    DEFAULT_STORAGE = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": DEFAULT_STORAGE,
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_ROOT = Path(os.environ.get("RINGFENCE_MEDIA_ROOT", BASE_DIR / "var" / "media"))
# The largest document accepted, in bytes (documents.services.attachment_check): 10 MB unless set.
RINGFENCE_UPLOAD_MAX_BYTES = int(os.environ.get("RINGFENCE_UPLOAD_MAX_BYTES", 10 * 1024 * 1024))

# --- The owning body and report markings: configuration, because the body changes in 2028 ------------------------
RINGFENCE = {
    "OWNING_BODY": os.environ.get("RINGFENCE_OWNING_BODY", "Office of the West Midlands Police and Crime Commissioner"),
    "OWNING_BODY_SHORT": os.environ.get("RINGFENCE_OWNING_BODY_SHORT", "West Midlands OPCC"),
    "PUBLISHER_PREFIX": os.environ.get("RINGFENCE_360_PREFIX", "360G-wmopcc"),
    # 360Giving: the funder's org-id (a prefix registered on org-id.guide; reports.giving360.ORG_ID_PREFIXES) and
    # the web addresses the package names. The demo's defaults are fictional but well formed.
    "FUNDER_ORG_ID": os.environ.get("RINGFENCE_FUNDER_ORG_ID", "GB-GOR-PB9042"),
    "TRANSPARENCY_URL": os.environ.get(
        "RINGFENCE_TRANSPARENCY_URL", "https://www.westmidlands-pcc.example/transparency/"
    ),
    "PUBLISHER_WEBSITE": os.environ.get("RINGFENCE_PUBLISHER_WEBSITE", "https://www.westmidlands-pcc.example/"),
    "PUBLISHER_LOGO_URL": os.environ.get("RINGFENCE_PUBLISHER_LOGO_URL", ""),
    # A decision notice's address, {number} filled in (empty: the decision log on the transparency page).
    "DECISION_NOTICE_URL": os.environ.get("RINGFENCE_DECISION_NOTICE_URL", ""),
    "PROTECTIVE_MARKING": os.environ.get("RINGFENCE_PROTECTIVE_MARKING", "OFFICIAL"),
    # Who signs funder returns when no signer is named: "Name, Title" (empty: the one active finance director).
    "FUNDER_RETURN_SIGNATORY": os.environ.get("RINGFENCE_FUNDER_RETURN_SIGNATORY", ""),
}

# --- Email: the daily reminders (notifications.services, `manage.py send_reminders`) ------------------------------
# With EMAIL_HOST set, mail goes out through that SMTP server; without it (the demo, a laptop) each email is printed
# on the console instead. RINGFENCE_EMAIL_BACKEND, a Django email backend's dotted path, overrides both.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT") or 587)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
EMAIL_TIMEOUT = 30  # seconds: a mail server that does not answer stops the run rather than hanging it
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL") or "ringfence@localhost"
EMAIL_BACKEND = os.environ.get("RINGFENCE_EMAIL_BACKEND") or (
    "django.core.mail.backends.smtp.EmailBackend" if EMAIL_HOST else "django.core.mail.backends.console.EmailBackend")
# With the file-based backend (RINGFENCE_EMAIL_BACKEND=django.core.mail.backends.filebased.EmailBackend: the browser
# tests read the invitations they send), the folder each email is written to.
EMAIL_FILE_PATH = os.environ.get("RINGFENCE_EMAIL_FILE_PATH") or str(BASE_DIR / "var" / "mail")
# The address people open Ringfence at: the links in emails are built on it.
RINGFENCE_SITE_URL = (os.environ.get("RINGFENCE_SITE_URL") or "http://127.0.0.1:8000").rstrip("/")
# --- The provider portal (portal.invitations) ----------------------------------------------------------------------
# An invitation link is single-use and expires after this many days (its email's link starts with RINGFENCE_SITE_URL).
RINGFENCE_INVITATION_DAYS = int(os.environ.get("RINGFENCE_INVITATION_DAYS", 7))

# --- Second factor ---------------------------------------------------------------------------------------------
# After the password, a code from an authenticator app (TOTP, django-otp) or a single-use recovery code
# (core.two_factor). Required for every account when on (by default in production, DJANGO_DEBUG=0): until the session
# is verified only signing in, setting up an app, the code step, signing out and the public pages open, the admin
# included (core.two_factor_gate, right after django-otp's middleware). When off (the demo) anyone may set it up from
# their account page, and whoever has is still asked for their code.
RINGFENCE_REQUIRE_SECOND_FACTOR = env_bool("RINGFENCE_REQUIRE_SECOND_FACTOR", not DEBUG)
OTP_TOTP_ISSUER = RINGFENCE["OWNING_BODY_SHORT"]  # the name the app shows beside the code
OTP_ADMIN_HIDE_SENSITIVE_DATA = True  # the admin never shows anyone's key or QR code
MIDDLEWARE.insert(MIDDLEWARE.index("django_otp.middleware.OTPMiddleware") + 1,
                  "core.two_factor_gate.SecondFactorMiddleware")

# Logs go to stderr (gunicorn's error log in production), every record with the request's id, path and user id
# (core.errors.RequestContextFilter), so the reference on the 500 page finds its traceback. Django logs each unhandled
# exception to django.request with its traceback; its own default prints that only when DEBUG is on, so without the
# "django" logger below a production 500 left no trace at all. "ringfence" covers ringfence.security (logins).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_context": {"()": "core.errors.RequestContextFilter"}},
    "formatters": {
        "ringfence": {
            "format": "%(asctime)s %(levelname)s %(name)s request_id=%(request_id)s user_id=%(user_id)s "
                      "path=%(request_path)s %(message)s",
        },
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["request_context"], "formatter": "ringfence"},
    },
    "loggers": {
        "django": {"handlers": ["console"], "level": "INFO"},  # django.request (500s, 4xx warnings), django.security
        "ringfence": {"handlers": ["console"], "level": "INFO"},
    },
}
