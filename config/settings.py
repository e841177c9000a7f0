"""Zhiku settings: one module, two profiles, every knob a KB_* environment variable.

- embedded (default): needs no variable and no server. SQLite in WAL mode, files, search index and
  the Celery broker under KB_DATA_DIR (./var), console e-mail.
- production (KB_PROFILE=production): KB_SECRET_KEY, KB_ALLOWED_HOSTS, KB_DATABASE_URL and
  KB_BROKER_URL are mandatory; secure cookies, HSTS and HTTPS redirect are on, so
  `manage.py check --deploy` has nothing to report.
"""

from __future__ import annotations

import secrets
from pathlib import Path

from config import parsers as env
from config.parsers import SettingError

BASE_DIR = Path(__file__).resolve().parent.parent

PROFILE = env.get_choice("KB_PROFILE", ("embedded", "production"), "embedded")
PRODUCTION = PROFILE == "production"

DATA_DIR = env.get_path("KB_DATA_DIR", BASE_DIR / "var")

DEBUG = env.get_bool("KB_DEBUG", default=False)


def _embedded_secret_key() -> str:
    """Keep a random key in the data directory so sessions survive restarts of `make run`."""
    key_file = DATA_DIR / "secret_key"
    try:
        return key_file.read_text().strip()
    except FileNotFoundError:
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(50)
        key_file.write_text(key)
        key_file.chmod(0o600)
        return key


if PRODUCTION:
    SECRET_KEY = env.get_str("KB_SECRET_KEY", required=True)
    if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:
        raise SettingError("KB_SECRET_KEY must be at least 50 random characters.")
    ALLOWED_HOSTS = env.get_list("KB_ALLOWED_HOSTS")
    if not ALLOWED_HOSTS:
        raise SettingError("KB_ALLOWED_HOSTS must list the host names this site answers to.")
else:
    SECRET_KEY = env.get_str("KB_SECRET_KEY") or _embedded_secret_key()
    ALLOWED_HOSTS = env.get_list("KB_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])

CSRF_TRUSTED_ORIGINS = env.get_list("KB_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "permissions.apps.PermissionsConfig",
    "kb.apps.KbConfig",
    "kb.ops.apps.OpsConfig",
    "documents.apps.DocumentsConfig",
    "customers.apps.CustomersConfig",
    "customers.tickets.apps.TicketsConfig",
    "search.apps.SearchConfig",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "permissions.apps.ZhikuUsersConfig",  # wagtail.users with departments on the user form
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "reversion",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "kb.middleware.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "kb.workflow.admin_guard.PageAdminGuardMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "config.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "wagtail.contrib.settings.context_processors.settings",
                "kb.context_processors.site_shell",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

# --- Database -------------------------------------------------------------------------------
_database_url = env.get_url(
    "KB_DATABASE_URL", ("postgres", "postgresql", "sqlite"), required=PRODUCTION
)
if _database_url:
    DATABASES = {"default": env.parse_database_url("KB_DATABASE_URL", _database_url)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "zhiku.sqlite3",
        }
    }
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # WAL lets the web server read while the worker writes; IMMEDIATE transactions take the write
    # lock up front instead of failing half-way with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.get_int("KB_DATABASE_CONN_MAX_AGE", 60, minimum=0)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "permissions.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

# --- Internationalisation: Chinese first --------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "config" / "locale"]
TIME_ZONE = env.get_str("KB_TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES
WAGTAIL_CONTENT_LANGUAGES = [("zh-hans", "简体中文")]

# --- Files ------------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
MEDIA_URL = "/media/"
MEDIA_ROOT = DATA_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Serve static files from the finders when collectstatic has not run (tests, first start).
WHITENOISE_USE_FINDERS = not PRODUCTION
# Only images are served straight from MEDIA_ROOT (documents always go through the permission
# policy in documents/views.py); production puts a web server in front of media/images instead.
KB_SERVE_MEDIA_IMAGES = env.get_bool("KB_SERVE_MEDIA_IMAGES", not PRODUCTION)
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

# --- Wagtail ----------------------------------------------------------------------------------
WAGTAIL_SITE_NAME = "知库 Zhiku"
WAGTAILADMIN_BASE_URL = env.get_str("KB_BASE_URL", "http://127.0.0.1:8000")
WAGTAILDOCS_DOCUMENT_MODEL = "documents.KnowledgeDocument"
# Zhiku's own search (search/) serves users; Wagtail's database backend only serves admin choosers.
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_SERVE_METHOD = "serve_view"  # every download passes the permission policy
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAIL_ENABLE_WHATS_NEW_BANNER = False

# --- Search and extraction -------------------------------------------------------------------
KB_ELASTICSEARCH_URL = env.get_url("KB_ELASTICSEARCH_URL", ("http", "https"))
KB_SEARCH_BACKEND = env.get_choice(
    "KB_SEARCH_BACKEND",
    ("tantivy", "elasticsearch"),
    "elasticsearch" if KB_ELASTICSEARCH_URL else "tantivy",
)
KB_SEARCH_INDEX_DIR = env.get_path("KB_SEARCH_INDEX_DIR", DATA_DIR / "index")
KB_TIKA_SERVER_URL = env.get_url("KB_TIKA_SERVER_URL", ("http", "https"))
KB_EXTRACTION_TIMEOUT = env.get_int("KB_EXTRACTION_TIMEOUT", 120, minimum=1)
KB_EXTRACTION_MAX_BYTES = env.get_int("KB_EXTRACTION_MAX_BYTES", 200 * 1024 * 1024, minimum=1)
# Seconds an extraction child may sit idle in a worker before it is stopped to free its memory.
KB_EXTRACTION_IDLE_SECONDS = env.get_int("KB_EXTRACTION_IDLE_SECONDS", 120, minimum=1)
KB_MAX_UPLOAD_MB = env.get_int("KB_MAX_UPLOAD_MB", 200, minimum=1)
KB_TRASH_DAYS = env.get_int("KB_TRASH_DAYS", 30, minimum=1)
# Bulk import of zip archives: limits against zip bombs (documents/importing/).
KB_IMPORT_MAX_TOTAL_MB = env.get_int("KB_IMPORT_MAX_TOTAL_MB", 2048, minimum=1)
KB_IMPORT_MAX_FILES = env.get_int("KB_IMPORT_MAX_FILES", 10_000, minimum=1)
KB_IMPORT_MAX_RATIO = env.get_int("KB_IMPORT_MAX_RATIO", 200, minimum=2)
# File types accepted for upload (by extension; the content is sniffed as well).
KB_UPLOAD_EXTENSIONS = env.get_list(
    "KB_UPLOAD_EXTENSIONS",
    # fmt: off
    [
        "doc",
        "docx",
        "docm",
        "dot",
        "dotx",
        "xls",
        "xlsx",
        "xlsm",
        "xlt",
        "xltx",
        "csv",
        "ppt",
        "pptx",
        "pptm",
        "pps",
        "ppsx",
        "pdf",
        "wps",
        "wpt",
        "et",
        "ett",
        "dps",
        "dpt",
        "odt",
        "ods",
        "odp",
        "odg",
        "rtf",
        "txt",
        "text",
        "md",
        "markdown",
        "log",
        "html",
        "htm",
        "xml",
        "json",
        "eml",
        "msg",
        "png",
        "jpg",
        "jpeg",
        "gif",
        "bmp",
        "tif",
        "tiff",
        "webp",
        "heic",
        "svg",
        "zip",
        "7z",
        "rar",
        "gz",
        "tgz",
        "tar",
        "dwg",
        "dxf",
        "vsd",
        "vsdx",
        "mpp",
        "epub",
    ],
    # fmt: on
)
# Wagtail's own admin upload forms accept the same types (its documents go through the same
# version and extraction pipeline: documents/signal_handlers.py).
WAGTAILDOCS_EXTENSIONS = KB_UPLOAD_EXTENSIONS
# Resident memory of one extraction child (and its OCR helpers) before it is killed.
KB_EXTRACTION_MAX_MEMORY_MB = env.get_int("KB_EXTRACTION_MAX_MEMORY_MB", 1536, minimum=64)
KB_EXTRACTION_MAX_CHARS = env.get_int("KB_EXTRACTION_MAX_CHARS", 5_000_000, minimum=1000)
KB_OCR_LANGUAGES = env.get_str("KB_OCR_LANGUAGES", "chi_sim+eng")
if KB_SEARCH_BACKEND == "elasticsearch" and not KB_ELASTICSEARCH_URL:
    raise SettingError("KB_SEARCH_BACKEND=elasticsearch needs KB_ELASTICSEARCH_URL.")
# Name of the index (Elasticsearch/OpenSearch: the alias in front of the versioned indices).
KB_SEARCH_INDEX_NAME = env.get_str("KB_SEARCH_INDEX_NAME", "zhiku")
SEARCH_BACKENDS = {
    "default": (
        {
            "BACKEND": "search.backends.elasticsearch.ElasticsearchBackend",
            "URL": KB_ELASTICSEARCH_URL,
            "INDEX": KB_SEARCH_INDEX_NAME,
        }
        if KB_SEARCH_BACKEND == "elasticsearch"
        else {"BACKEND": "search.backends.tantivy.TantivyBackend", "PATH": KB_SEARCH_INDEX_DIR}
    )
}

# --- Celery -----------------------------------------------------------------------------------
_broker_url = env.get_url(
    "KB_BROKER_URL", ("redis", "rediss", "amqp", "amqps", "filesystem"), required=PRODUCTION
)
BROKER_DIR = DATA_DIR / "broker"
if _broker_url:
    CELERY_BROKER_URL = _broker_url
    CELERY_RESULT_BACKEND = env.get_str(
        "KB_RESULT_BACKEND", _broker_url if _broker_url.startswith("redis") else None
    )
else:
    # kombu's filesystem transport: a real broker that needs no server. Producers write to the
    # folder, the worker reads from it.
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "control_folder": str(BROKER_DIR / "control"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "store_processed": False,
    }
    # The folders are created when Celery is configured (config/celery.py), not at import.
    CELERY_RESULT_BACKEND = f"db+sqlite:///{DATA_DIR / 'celery-results.sqlite3'}"
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Task modules outside an app's tasks.py, which autodiscovery does not find.
CELERY_IMPORTS = ["documents.importing.tasks", "kb.trash.tasks", "kb.workflow.tasks"]
CELERY_TASK_ALWAYS_EAGER = env.get_bool("KB_CELERY_EAGER", False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_EXPIRES = 7 * 24 * 3600
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(DATA_DIR / "celerybeat-schedule")
KB_HEARTBEAT_INTERVAL = env.get_int("KB_HEARTBEAT_INTERVAL", 15, minimum=1)
CELERY_BEAT_SCHEDULE = {
    # Proves beat -> broker -> worker end to end (the status page reads it); expires so that a
    # stopped worker does not come back to a pile of stale heartbeats.
    "ops-scheduled-heartbeat": {
        "task": "kb.ops.tasks.record_scheduled_heartbeat_task",
        "schedule": 4.0 * KB_HEARTBEAT_INTERVAL,
        "options": {"expires": 4.0 * KB_HEARTBEAT_INTERVAL},
    },
    "ops-prune-task-failures": {
        "task": "kb.ops.tasks.prune_task_failures_task",
        "schedule": 24 * 3600.0,
    },
    "documents-purge-trash": {
        "task": "documents.tasks.purge_trash_task",
        "schedule": 6 * 3600.0,
    },
    "kb-purge-expired-pages": {
        "task": "kb.trash.tasks.purge_expired_pages_task",
        "schedule": 6 * 3600.0,
    },
    # Repairs what a crash or an outage left pending (the upload enqueues extraction itself).
    "documents-sweep-pending-extractions": {
        "task": "documents.tasks.sweep_pending_extractions_task",
        "schedule": 15 * 60.0,
    },
    # Resumes bulk imports whose worker died (the job's items record what is already done).
    "documents-resume-imports": {
        "task": "documents.importing.tasks.resume_import_jobs_task",
        "schedule": 10 * 60.0,
    },
    "kb-notify-review-due": {
        "task": "kb.workflow.tasks.notify_review_due_task",
        "schedule": 6 * 3600.0,
    },
    # Wagtail's scheduled publishing and expiry (go_live_at / expire_at on pages).
    "kb-publish-scheduled-pages": {
        "task": "kb.workflow.tasks.publish_scheduled_pages_task",
        "schedule": 60.0,
        "options": {"expires": 60.0},
    },
    # Re-runs outbox rows a failed engine or a crashed worker left behind (search/indexing.py).
    "search-sweep-outbox": {
        "task": "search.tasks.sweep_search_outbox_task",
        "schedule": 5 * 60.0,
        "options": {"expires": 5 * 60.0},
    },
}

# --- Service tickets --------------------------------------------------------------------------
# Without an SLA policy for its priority, a ticket must be answered within this many hours.
KB_TICKET_FIRST_RESPONSE_HOURS = env.get_int("KB_TICKET_FIRST_RESPONSE_HOURS", 12, minimum=1)
KB_TICKET_SLA_WARN_MINUTES = env.get_int("KB_TICKET_SLA_WARN_MINUTES", 60, minimum=0)
KB_TICKET_SLA_CHECK_SECONDS = env.get_int("KB_TICKET_SLA_CHECK_SECONDS", 300, minimum=1)
# The mailbox e-mailed tickets arrive in (polled only when a host is set).
KB_TICKET_IMAP_HOST = env.get_str("KB_TICKET_IMAP_HOST", "")
KB_TICKET_IMAP_PORT = env.get_int("KB_TICKET_IMAP_PORT", 993, minimum=1)
KB_TICKET_IMAP_USER = env.get_str("KB_TICKET_IMAP_USER", "")
KB_TICKET_IMAP_PASSWORD = env.get_str("KB_TICKET_IMAP_PASSWORD", "")
KB_TICKET_IMAP_SSL = env.get_bool("KB_TICKET_IMAP_SSL", True)
KB_TICKET_IMAP_FOLDER = env.get_str("KB_TICKET_IMAP_FOLDER", "INBOX")
KB_TICKET_IMAP_POLL_SECONDS = env.get_int("KB_TICKET_IMAP_POLL_SECONDS", 120, minimum=10)
CELERY_BEAT_SCHEDULE["tickets-check-sla"] = {
    "task": "customers.tickets.tasks.check_ticket_sla_task",
    "schedule": float(KB_TICKET_SLA_CHECK_SECONDS),
    "options": {"expires": float(KB_TICKET_SLA_CHECK_SECONDS)},
}
if KB_TICKET_IMAP_HOST:
    CELERY_BEAT_SCHEDULE["tickets-poll-mailbox"] = {
        "task": "customers.tickets.tasks.poll_ticket_mailbox_task",
        "schedule": float(KB_TICKET_IMAP_POLL_SECONDS),
        "options": {"expires": float(KB_TICKET_IMAP_POLL_SECONDS)},
    }

# --- Processes started by `manage.py run_zhiku` (make run) -------------------------------------
# Few processes and threads: the embedded profile must idle in little memory on one machine.
KB_BIND = env.get_str("KB_BIND", "127.0.0.1:8000")
KB_WEB_WORKERS = env.get_int("KB_WEB_WORKERS", 1, minimum=1)
KB_WEB_THREADS = env.get_int("KB_WEB_THREADS", 4, minimum=1)
KB_WORKER_CONCURRENCY = env.get_int("KB_WORKER_CONCURRENCY", 2, minimum=1)

# --- E-mail -----------------------------------------------------------------------------------
EMAIL_HOST = env.get_str("KB_EMAIL_HOST")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env.get_int("KB_EMAIL_PORT", 587, minimum=1)
    EMAIL_HOST_USER = env.get_str("KB_EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = env.get_str("KB_EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env.get_bool("KB_EMAIL_USE_TLS", True)
    EMAIL_USE_SSL = env.get_bool("KB_EMAIL_USE_SSL", False)
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = env.get_str("KB_DEFAULT_FROM_EMAIL", "zhiku@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
WAGTAILADMIN_NOTIFICATION_FROM_EMAIL = DEFAULT_FROM_EMAIL

# --- Security ---------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
# Wagtail's preview views set SAMEORIGIN on their own responses (xframe_options_sameorigin_override),
# so everything else can refuse framing, as `check --deploy` asks (security.W019).
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env.get_bool("KB_SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env.get_int("KB_SECURE_HSTS_SECONDS", 31_536_000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.get_bool("KB_SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env.get_bool("KB_SECURE_HSTS_PRELOAD", True)
    if env.get_bool("KB_BEHIND_TLS_PROXY", True):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.get_str("KB_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
