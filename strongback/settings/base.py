"""Settings shared by every deployment, read from the environment (django-environ).

With nothing set this is the embedded configuration: SQLite in the project folder, Celery tasks run
in-process, files on local disk. ``DATABASE_URL`` and ``REDIS_URL`` switch to PostgreSQL and a real
Celery broker. ``demo.py`` serves ``make run`` as production does (DEBUG off, WhiteNoise);
``production.py`` hardens everything.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# The fallback key only exists so a fresh checkout runs; production.py refuses to start without one.
SECRET_KEY = env.str("SECRET_KEY", default="insecure-local-only-key-not-for-any-deployment-0000")
DEBUG = env.bool("DEBUG", default=False)
# Fernet keys for identifying data at rest, newest first. Unset outside production: one is derived
# from SECRET_KEY (production.py refuses to start without its own keys).
FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEYS", default=[])
# Which allocation lists the randomise service draws from: "test" (training, validation) or
# "production". Test randomisations never touch production slots.
RANDOMISATION_ENVIRONMENT = env.str("RANDOMISATION_ENVIRONMENT", default="production")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "csp",
    "trial",
    "randomization",
    "outcomes",
    "imaging",
    "interviews",
    "strongback",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",  # first (demo and production add to it)
    # Before every middleware that writes: the audit seal of every commit below runs after the
    # response is sent.
    "trial.audit.middleware.SealAfterResponseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "trial.access.session_touch.SlidingSessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "trial.access.language.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "trial.audit.middleware.AuditContextMiddleware",
    "trial.access.middleware.DenyByDefaultMiddleware",
    "trial.access.middleware.DatabaseLockedMiddleware",
    # Axes must be last: it turns a lockout signalled by its backend into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "strongback.urls"
WSGI_APPLICATION = "strongback.wsgi.application"
ASGI_APPLICATION = "strongback.asgi.application"

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
                "trial.access.context_processors.navigation",
                "trial.access.context_processors.database_lock",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------------
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE takes the write lock when a transaction starts, so the audit hash chain and the
    # allocation of randomisation slots are serialised on the embedded database too.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"transaction_mode": "IMMEDIATE", "timeout": 20}
    )
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DB_CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "trial.User"

# --- Authentication -------------------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Lockout: the 5th consecutive failure locks the username until a data manager resets it
# (python manage.py axes_reset_username NAME, or the admin). 21 CFR 11.300(d).
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
# Per account, not per address: the whole clinic shares one outgoing IP, and one mistyping
# colleague must not lock everyone else out. (axes.W006 warns about exactly this choice.)
AXES_LOCKOUT_PARAMETERS = ["username"]
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_COOLOFF_TIME = (
    timedelta(minutes=env.int("AXES_COOLOFF_MINUTES"))
    if env.str("AXES_COOLOFF_MINUTES", "")
    else None
)
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_IPWARE_PROXY_COUNT = env.int("PROXY_COUNT", default=0)

# Sessions end after inactivity: the cookie age is refreshed on every request.
# E-mail (set-password links). The default writes each message to a file under var/mail, so the
# demo needs no mail server; production sets EMAIL_URL (smtp+tls://user:pass@host:587).
_email = env.email_url("EMAIL_URL", default="filemail://")
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
EMAIL_HOST = _email.get("EMAIL_HOST") or "localhost"
EMAIL_PORT = _email.get("EMAIL_PORT") or 25
EMAIL_HOST_USER = _email.get("EMAIL_HOST_USER") or ""
EMAIL_HOST_PASSWORD = _email.get("EMAIL_HOST_PASSWORD") or ""
EMAIL_USE_TLS = bool(_email.get("EMAIL_USE_TLS"))
EMAIL_USE_SSL = bool(_email.get("EMAIL_USE_SSL"))
EMAIL_FILE_PATH = env.path("EMAIL_FILE_PATH", default=BASE_DIR / "var" / "mail")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="strongback-edc@localhost")
# A set-password link works once and for this long.
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_LINK_DAYS", default=3) * 86400
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_MINUTES", default=30) * 60
# The idle timeout slides: the session is saved again when its last save is this old (not on
# every request; trial.access.session_touch).
SESSION_TOUCH_SECONDS = env.int("SESSION_TOUCH_SECONDS", default=60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

OTP_TOTP_ISSUER = "STRONG-BACK EDC"

# --- Internationalisation -------------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("fr", "Français")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = env.str("TRIAL_TIME_ZONE", default="America/Toronto")
USE_TZ = True

# --- Static and media files -----------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "var" / "static")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "var" / "media")
MEDIA_URL = "media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Shared real test data (never copied into the repository).
SHARED_DATA_DIR = env.path("SHARED_DATA_DIR", default=BASE_DIR.parent / "shared" / "data")
# Published scoring tables; tests check every constant of outcomes.instruments against them.
SHARED_REFERENCE_DIR = env.path(
    "SHARED_REFERENCE_DIR", default=BASE_DIR.parent / "shared" / "reference"
)

# --- Task queue -----------------------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or None
# Without Redis, tasks run in-process (embedded mode) and their errors propagate to the caller.
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
# Embedded mode only: run those tasks on a background thread instead of in the request (the demo
# sets it; tests keep tasks in the caller, trial.dispatch).
EMBEDDED_TASKS_IN_BACKGROUND = env.bool("EMBEDDED_TASKS_IN_BACKGROUND", default=False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# Device files (actigraphy) are scored on this queue; tests point it at their own worker.
DEVICE_TASK_QUEUE = env.str("DEVICE_TASK_QUEUE", default="celery")
# Exports of more participants than this run as a background task that writes a file.
EXPORT_ASYNC_THRESHOLD = env.int("EXPORT_ASYNC_THRESHOLD", default=1000)
CELERY_TASK_ROUTES = {"imaging.tasks.*": {"queue": "imaging"}}
# A message a worker took but never acknowledged (the worker was killed) goes back to the queue
# after this long: it must exceed the longest task (the imaging steps' time limit, 960 s).
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=1200)
}
# With the broker down, sending fails in about a second instead of hanging a page for 20 s: the
# row that asked for the work stays queued and the watchdogs send again.
CELERY_BROKER_CONNECTION_TIMEOUT = env.float("CELERY_BROKER_CONNECTION_TIMEOUT", default=2.0)
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1, "interval_start": 0, "interval_step": 0.5, "interval_max": 0.5
}  # fmt: skip
# Watchdogs (beat): an imaging study or actigraphy recording whose worker has been silent this long
# is sent again (idempotent steps); a study or import whose message never reached the broker is
# sent again at the next round.
IMAGING_STALL_SECONDS = env.int("IMAGING_STALL_SECONDS", default=1080)
ACTIGRAPHY_STALL_SECONDS = env.int("ACTIGRAPHY_STALL_SECONDS", default=1800)
CELERY_BEAT_SCHEDULE = {
    "worker-heartbeat": {"task": "trial.tasks.record_worker_heartbeat", "schedule": 60.0},
    "poll-orthanc": {"task": "imaging.tasks.poll_orthanc", "schedule": 30.0},
    "anchor-audit-chain": {"task": "trial.tasks.anchor_audit_chain", "schedule": 300.0},
    # Rows whose own after-commit seal found another sequencer busy are sealed here at the latest.
    "seal-audit-chain": {"task": "trial.tasks.seal_audit_chain", "schedule": 30.0},
    "requeue-stalled-studies": {
        "task": "imaging.tasks.requeue_stalled_studies",
        "schedule": env.float("WATCHDOG_INTERVAL_SECONDS", default=60.0),
    },
    "destroy-due-interview-audio": {
        "task": "interviews.tasks.destroy_due_recordings",
        "schedule": 3600.0,
    },
    "requeue-stalled-recordings": {
        "task": "outcomes.tasks.requeue_stalled_recordings",
        "schedule": env.float("WATCHDOG_INTERVAL_SECONDS", default=60.0),
    },
}

# --- Imaging --------------------------------------------------------------------------------------
# Queue of the imaging steps (a GPU worker takes this queue); tests point it at their own worker.
IMAGING_TASK_QUEUE = env.str("IMAGING_TASK_QUEUE", default="imaging")
# The PACS followed by the beat task; empty = no PACS (uploads only).
ORTHANC_URL = env.str("ORTHANC_URL", default="")
ORTHANC_USERNAME = env.str("ORTHANC_USERNAME", default="")
ORTHANC_PASSWORD = env.str("ORTHANC_PASSWORD", default="")
# Secret from which pseudonymous UIDs are derived: set it once per trial and never change it.
IMAGING_PSEUDONYM_SECRET = env.str("IMAGING_PSEUDONYM_SECRET", default="")
# Where labels come from: "model" (the default CNN below, everywhere), or "reference", a folder of
# NIfTI label maps each used for the image whose voxel grid it matches (research uploads, tests).
IMAGING_SEGMENTER = env.str("IMAGING_SEGMENTER", default="model")
IMAGING_REFERENCE_MASKS_DIR = env.str("IMAGING_REFERENCE_MASKS_DIR", default="")
# IMAGING_SEGMENTER=model: a MuscleMap-format config (weights beside it unless given).
IMAGING_MODEL_CONFIG = env.str(
    "IMAGING_MODEL_CONFIG", default=str(BASE_DIR / "imaging/segmentation/default/model.json")
)
IMAGING_MODEL_WEIGHTS = env.str("IMAGING_MODEL_WEIGHTS", default="")
IMAGING_MODEL_OVERLAP = env.float("IMAGING_MODEL_OVERLAP", default=0.75)
# "torch", or "onnxruntime" (pip install 'strongback-edc[onnx]'; see make bench for both).
IMAGING_INFERENCE_BACKEND = env.str("IMAGING_INFERENCE_BACKEND", default="torch")
IMAGING_FAT_METHOD = env.str("IMAGING_FAT_METHOD", default="gmm3")
IMAGING_ERODE_VOXELS = env.int("IMAGING_ERODE_VOXELS", default=0)
IMAGING_RULES_FILE = env.str("IMAGING_RULES_FILE", default="")
IMAGING_UPLOAD_MAX_BYTES = env.int("IMAGING_UPLOAD_MAX_BYTES", default=2 * 1024**3)
# A DICOM folder sends one file per slice (Django's default allows 100 files per request).
DATA_UPLOAD_MAX_NUMBER_FILES = env.int("DATA_UPLOAD_MAX_NUMBER_FILES", default=5000)
CELERY_TIMEZONE = "UTC"

# --- Qualitative interviews ----------------------------------------------------------------------
# Interview audio, encrypted at rest; never under a URL the web server serves.
INTERVIEW_AUDIO_DIR = env.path("INTERVIEW_AUDIO_DIR", default=Path(MEDIA_ROOT) / "interview-audio")
# 40 minutes of 48 kHz 16-bit stereo WAV is 461 MB; the default leaves room for that.
INTERVIEW_AUDIO_MAX_BYTES = env.int("INTERVIEW_AUDIO_MAX_BYTES", default=600 * 1024**2)
# Audio is destroyed this many days after its interview's transcript is approved (ethics rule).
INTERVIEW_AUDIO_RETENTION_DAYS = env.int("INTERVIEW_AUDIO_RETENTION_DAYS", default=30)
INTERVIEW_TRANSCRIPT_MAX_BYTES = env.int("INTERVIEW_TRANSCRIPT_MAX_BYTES", default=10 * 1024**2)

# --- UI -------------------------------------------------------------------------------------------
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

# Content Security Policy: same-origin only, no inline script or style.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# --- Audit trail ----------------------------------------------------------------------------------
# The code version written with every audit row (git SHA in deployments, set by the image build).
APP_VERSION = env.str("APP_VERSION", default="dev")
# The chain head is appended, signed, to a file outside the database (trial.audit.anchor): by
# default in the media volume; the signing key defaults to one derived from SECRET_KEY.
AUDIT_ANCHOR_DIR = env.path("AUDIT_ANCHOR_DIR", default=Path(MEDIA_ROOT) / "audit")
AUDIT_ANCHOR_KEY = env.str("AUDIT_ANCHOR_KEY", default="")
AUDIT_ANCHOR_INTERVAL = env.int("AUDIT_ANCHOR_INTERVAL_SECONDS", default=60)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="WARNING")},
}

if not FIELD_ENCRYPTION_KEYS:
    from trial.crypto.keys import derived_key

    FIELD_ENCRYPTION_KEYS = [derived_key(SECRET_KEY)]

# API tokens stop working after this long (a new one is issued by the data manager).
API_TOKEN_MAX_AGE = timedelta(hours=env.int("API_TOKEN_MAX_AGE_HOURS", default=7 * 24))
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "strongback.api.authentication.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "STRONG-BACK EDC API",
    "DESCRIPTION": "Token-authenticated reads scoped to the reader's role and blinding, and the "
    "randomise action (ISRCTN14864451).",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
}
