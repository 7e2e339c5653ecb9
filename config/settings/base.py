"""Settings shared by every run mode. Machine-specific values come from
``config.env``; run modes (local, test, production) override below."""

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from celery.schedules import crontab

from config.env import BASE_DIR, DEFAULT_DATABASE_URL, VAR_DIR, database_config, env

SECRET_KEY = env("SECRET_KEY", default="insecure-embedded-default-change-me-0123456789abcdef")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework_simplejwt.token_blacklist",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "corsheaders",
    "apps.core",
    "apps.accounts",
    "apps.audit",
    "apps.depots",
    "apps.customers",
    "apps.inventory",
    "apps.billing",
    "apps.distribution",
    "apps.sync",
    "apps.orders",
    "apps.dispatch",
    "apps.deliveries",
    "apps.finance",
    "apps.einvoice",
    "apps.portal",
    "apps.demo",
]

MIDDLEWARE = [
    "apps.core.request_context.RequestContextMiddleware",  # first: request id, audit context
    "apps.core.middleware.DatabaseUnavailableMiddleware",  # a database error past DRF: 503, not 500
    "django.middleware.security.SecurityMiddleware",
    "apps.core.pwa.PWAWhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "apps.core.middleware.ApiCommonMiddleware",  # CommonMiddleware without redirecting API writes
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "apps.audit.middleware.AuditMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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

DATABASES = {"default": database_config(env("DATABASE_URL", default=DEFAULT_DATABASE_URL))}
# A read replica (docs/operations.md): the finance reports and exports read
# there through config.routers (outside write transactions); everything else,
# and every write, uses "default". Migrations run on "default" only.
DATABASE_REPLICA_URL = env("DATABASE_REPLICA_URL", default="")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = database_config(DATABASE_REPLICA_URL)
REPLICA_READS = env.bool("REPLICA_READS", default=bool(DATABASE_REPLICA_URL))
DATABASE_ROUTERS = ["config.routers.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-sg"
TIME_ZONE = "Asia/Singapore"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(VAR_DIR / "media"))
FRONTEND_DIST = BASE_DIR / "frontend" / "dist"
STORAGES: dict[str, dict[str, Any]] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Media (invoice PDFs, proof-of-delivery signatures and photos) go through
# Django's storage API: files under MEDIA_ROOT by default; MEDIA_STORAGE=s3
# keeps them in an S3-compatible bucket (django-storages; boto3 must then be
# installed, it is imported only by that backend). Never served under
# MEDIA_URL: the API and the admin stream them after their own checks.
MEDIA_STORAGE = env("MEDIA_STORAGE", default="filesystem")
if MEDIA_STORAGE == "s3":
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env("AWS_STORAGE_BUCKET_NAME"),
            "endpoint_url": env("AWS_S3_ENDPOINT_URL", default=None),  # MinIO, Wasabi, R2 ... or AWS itself
            "region_name": env("AWS_S3_REGION_NAME", default=None),
            "access_key": env("AWS_ACCESS_KEY_ID", default=None),  # None: boto3's own chain (instance role ...)
            "secret_key": env("AWS_SECRET_ACCESS_KEY", default=None),
            "location": env("AWS_LOCATION", default=""),  # a key prefix inside the bucket
            "default_acl": None,  # the bucket's own policy: keep it private
            "querystring_auth": True,
            "file_overwrite": False,  # like the file system: a name is never written twice
        },
    }
elif MEDIA_STORAGE != "filesystem":
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(f"MEDIA_STORAGE must be 'filesystem' or 's3', not {MEDIA_STORAGE!r}.")

CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://lpg")}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["apps.accounts.authentication.SafeJWTAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "apps.core.pagination.StandardPagination",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "apps.core.exceptions.api_exception_handler",
    # JSON only (no browsable API); local.py adds the browsable renderer in DEBUG.
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "apps.core.parsers.StrictJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "login_ip": env("LOGIN_RATE_IP", default="30/min"),
        "login_email": env("LOGIN_RATE_EMAIL", default="5/15min"),
        # POST /api/sync/ per user; the PWA sends one event per request (docs/sync.md).
        "sync": env("SYNC_RATE", default="60/min"),
    },
    # The server sits directly behind at most NUM_PROXIES proxies; with 0 the
    # client IP is REMOTE_ADDR and a forged X-Forwarded-For changes nothing.
    "NUM_PROXIES": env.int("NUM_PROXIES", default=0),
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env.int("JWT_ACCESS_MINUTES", default=15)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env.int("JWT_REFRESH_DAYS", default=7)),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": True,
    "SIGNING_KEY": env("JWT_SIGNING_KEY", default=SECRET_KEY),
    "USER_ID_FIELD": "id",
    "USER_ID_CLAIM": "user_id",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "LPG Field Operations API",
    "DESCRIPTION": "System of record for LPG cylinder distribution: ledger, deliveries, invoices, sync.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "apps.core.openapi.add_error_responses",
    ],
    # Several models have a "status" / "movement_type" with their own choices.
    "ENUM_NAME_OVERRIDES": {
        "DistributionStatusEnum": "apps.distribution.enums.DistributionStatus",
        "InvoiceStatusEnum": "apps.billing.enums.InvoiceStatus",
        "EquipmentStatusEnum": "apps.depots.enums.EquipmentStatus",
        "OrderStatusEnum": "apps.orders.enums.OrderStatus",
        "CountStatusEnum": "apps.orders.enums.CountStatus",
        "SyncStatusEnum": "apps.sync.enums.SyncStatus",
        "MovementTypeEnum": "apps.inventory.enums.MovementType",
        "DistributionMovementEnum": "apps.distribution.enums.DistributionMovement",
        "StatementEntryKindEnum": ["INVOICE", "PAYMENT", "CREDIT_NOTE"],
        "CustomerKindEnum": "apps.customers.enums.CustomerKind",
        "AttachmentKindEnum": "apps.deliveries.models.AttachmentKind",
        "TrackingStateEnum": "apps.portal.enums.TrackingState",
        "StateEnum": "apps.inventory.enums.CylinderState",  # its name before TrackingState also had a "state"
    },
}

CORS_ALLOWED_ORIGINS = env.list("CORS_ALLOWED_ORIGINS", default=[])
CORS_URLS_REGEX = r"^/api/.*$"

# Background work: eager (in-process, after commit) unless a broker is configured.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="memory://")
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=True)
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TIMEZONE = TIME_ZONE
# A worker process is replaced after this many tasks: WeasyPrint (invoice PDFs,
# finance e-mail attachments) keeps ~0.2 MiB of native memory per render.
CELERY_WORKER_MAX_TASKS_PER_CHILD = env.int("CELERY_WORKER_MAX_TASKS_PER_CHILD", default=200)

# The supplier printed on every tax invoice (IRAS requires name, address, GST reg. no.).
COMPANY = {
    "name": env("COMPANY_NAME", default="Lion City Gas Distribution Pte. Ltd."),
    "address": env("COMPANY_ADDRESS", default="21 Tuas South Avenue 6, Singapore 637019"),
    "uen": env("COMPANY_UEN", default="201912345K"),
    "gst_reg_no": env("COMPANY_GST_REG_NO", default="201912345K"),
    "phone": env("COMPANY_PHONE", default="+65 6861 2000"),
    "email": env("COMPANY_EMAIL", default="accounts@lioncitygas.example"),
    # InvoiceNow (docs/einvoice.md): empty = derived from the UEN (0195:SGUEN<uen>)
    "peppol_id": env("COMPANY_PEPPOL_ID", default=""),
}
DEFAULT_GST_RATE = Decimal("0.09")

# Dispatch (docs/dispatch.md): distances are straight-line km times the road
# factor at an average speed, unless an OSRM table service is named; the
# solver's time limit per solve; the load sheet's buffer over the planned
# stops; service time per stop; the tile server of the board's map (empty: no
# tiles, the routes are still drawn).
DISPATCH_OSRM_URL = env("DISPATCH_OSRM_URL", default="")
DISPATCH_ROAD_FACTOR = env.float("DISPATCH_ROAD_FACTOR", default=1.35)
DISPATCH_SPEED_KMH = env.float("DISPATCH_SPEED_KMH", default=28.0)
DISPATCH_ENGINE = env("DISPATCH_ENGINE", default="vroom")
DISPATCH_TIME_LIMIT_S = env.float("DISPATCH_TIME_LIMIT_S", default=8.0)
DISPATCH_BUFFER_PERCENT = env.int("DISPATCH_BUFFER_PERCENT", default=10)
# At most this times an even share of the day's stops per truck (0: no cap).
DISPATCH_BALANCE = env.float("DISPATCH_BALANCE", default=1.3)
DISPATCH_SERVICE_BASE_MIN = env.float("DISPATCH_SERVICE_BASE_MIN", default=4.0)
DISPATCH_SERVICE_PER_CYLINDER_MIN = env.float("DISPATCH_SERVICE_PER_CYLINDER_MIN", default=1.0)
DISPATCH_MAP_TILE_URL = env("DISPATCH_MAP_TILE_URL", default="")
DISPATCH_MAP_ATTRIBUTION = env("DISPATCH_MAP_ATTRIBUTION", default="")

# Offline sync: events older than this, or ahead of the server clock by more
# than the skew, are refused; a request carries at most SYNC_MAX_EVENTS events
# and SYNC_MAX_BYTES bytes of body (more: 413 sync_batch_too_large, nothing stored).
SYNC_MAX_EVENT_AGE_DAYS = env.int("SYNC_MAX_EVENT_AGE_DAYS", default=7)
SYNC_MAX_CLOCK_SKEW_SECONDS = env.int("SYNC_MAX_CLOCK_SKEW_SECONDS", default=300)
SYNC_MAX_EVENTS = env.int("SYNC_MAX_EVENTS", default=200)
SYNC_MAX_BYTES = env.int("SYNC_MAX_BYTES", default=1024 * 1024)
# One device's batches are applied one after the other: a batch arriving while
# another of the same device is being applied waits at most this long for it
# (holding a worker), then is answered 503 device_busy (nothing recorded; the
# phone keeps its outbox and sends it again).
SYNC_DEVICE_WAIT = env.float("SYNC_DEVICE_WAIT", default=2.0)

# Request bodies: at most this many bytes (Django's limit, also applied to JSON
# bodies by apps.core.parsers) and this JSON nesting depth; beyond, a JSON 400.
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=2_621_440)
JSON_MAX_DEPTH = env.int("JSON_MAX_DEPTH", default=64)
# Business dates accepted by the API (apps.core.fields): outside, a 400.
DATE_MIN = date(1900, 1, 1)
DATE_MAX = date(2999, 12, 31)
# Audit chain head: HMAC key kept outside the database (issue 17). This default is
# for the embedded/dev and test run modes only; production requires its own.
AUDIT_HMAC_KEY = env("AUDIT_HMAC_KEY", default="dev-only-audit-head-key-do-not-use-in-production")
# The audit sealer (apps.audit.sealer): right after each commit here (the
# embedded server has no beat); production seals under Celery beat instead.
AUDIT_SEAL_ON_COMMIT = env.bool("AUDIT_SEAL_ON_COMMIT", default=True)
AUDIT_SEAL_INTERVAL = env.float("AUDIT_SEAL_INTERVAL", default=1.0)  # seconds between beat passes
AUDIT_SEAL_MAX_DELAY = env.float("AUDIT_SEAL_MAX_DELAY", default=60.0)  # older unsealed rows fail verification
AUDIT_SEAL_BATCH_SIZE = env.int("AUDIT_SEAL_BATCH_SIZE", default=500)
# InvoiceNow e-invoices (docs/einvoice.md). EINVOICE_AP_URL empty: documents are
# built, validated and stored, nothing is transmitted (no access point yet).
EINVOICE_AP_URL = env("EINVOICE_AP_URL", default="")
EINVOICE_AP_TOKEN = env("EINVOICE_AP_TOKEN", default="")
EINVOICE_AP_TIMEOUT_SECONDS = env.float("EINVOICE_AP_TIMEOUT_SECONDS", default=15.0)
EINVOICE_MAX_ATTEMPTS = env.int("EINVOICE_MAX_ATTEMPTS", default=6)
EINVOICE_RETRY_BASE_SECONDS = env.int("EINVOICE_RETRY_BASE_SECONDS", default=60)
EINVOICE_ON_ISSUE = env.bool("EINVOICE_ON_ISSUE", default=True)  # customers with a Peppol ID, after commit
CELERY_BEAT_SCHEDULE = {
    # e-invoices: documents missed after commit (a lost task) rendered, due retries sent
    "einvoice-sweep": {"task": "apps.einvoice.tasks.einvoice_sweep", "schedule": 300.0},
    "seal-audit": {"task": "apps.audit.tasks.seal_audit", "schedule": AUDIT_SEAL_INTERVAL},
    # the day's standing orders, before the dispatchers plan the day (CELERY_TIMEZONE: Singapore)
    "generate-repeat-orders": {
        "task": "apps.orders.tasks.generate_repeat_orders",
        "schedule": crontab(minute=0, hour=5),
    },
}

# Bounded retries of a whole business transaction on deadlock / lock timeout.
LEDGER_MAX_RETRIES = env.int("LEDGER_MAX_RETRIES", default=8)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="WARNING")},
    # The signed audit chain head after every commit that moves it (docs/audit.md).
    "loggers": {"apps.audit.head": {"level": env("AUDIT_HEAD_LOG_LEVEL", default="INFO")}},
}


# Finance back office (apps.finance). E-mail: the console backend in the
# embedded default; production sets EMAIL_URL, e.g.
# smtp+tls://user:password@smtp.example.com:587 (django-environ's email_url).
# Django 6.1 mailers (MAILERS replaces the EMAIL_* settings).
def mailers_from(mail: dict) -> dict:
    config = {"BACKEND": mail["EMAIL_BACKEND"]}
    if mail["EMAIL_BACKEND"].endswith("smtp.EmailBackend"):
        config["OPTIONS"] = {
            "host": mail.get("EMAIL_HOST") or "localhost",
            "port": mail.get("EMAIL_PORT") or 25,
            "username": mail.get("EMAIL_HOST_USER", ""),
            "password": mail.get("EMAIL_HOST_PASSWORD", ""),
            "use_tls": bool(mail.get("EMAIL_USE_TLS")),
            "use_ssl": bool(mail.get("EMAIL_USE_SSL")),
            "timeout": env.int("EMAIL_TIMEOUT", default=30),
        }
    return {"default": config}


MAILERS = mailers_from(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default=COMPANY["email"])
FINANCE_EMAIL_MAX_RETRIES = env.int("FINANCE_EMAIL_MAX_RETRIES", default=5)
FINANCE_EMAIL_RETRY_BASE_SECONDS = env.int("FINANCE_EMAIL_RETRY_BASE_SECONDS", default=60)
# a worker sending an e-mail claims it this long (render + SMTP timeout, with room)
FINANCE_EMAIL_CLAIM_SECONDS = env.int("FINANCE_EMAIL_CLAIM_SECONDS", default=300)
FINANCE_EMAIL_SWEEP_SECONDS = env.float("FINANCE_EMAIL_SWEEP_SECONDS", default=60.0)
FINANCE_EMAIL_SWEEP_GRACE = env.float("FINANCE_EMAIL_SWEEP_GRACE", default=120.0)
CELERY_BEAT_SCHEDULE["finance-email-sweep"] = {
    "task": "apps.finance.tasks.email_sweep",
    "schedule": FINANCE_EMAIL_SWEEP_SECONDS,
}
CELERY_BEAT_SCHEDULE["order-email-sweep"] = {
    "task": "apps.portal.tasks.order_notification_sweep",
    "schedule": FINANCE_EMAIL_SWEEP_SECONDS,
}
FINANCE_ZIP_MAX_DAYS = 370
FINANCE_PDF_RENDERS_PER_CHILD = env.int("FINANCE_PDF_RENDERS_PER_CHILD", default=100)  # the archive's render child
# Accounting exports: the names must match the organisation's own setup in the
# accounting product; {percent} is the invoice's GST rate ("9", "8").
FINANCE_XERO_ACCOUNT_CODE = env("FINANCE_XERO_ACCOUNT_CODE", default="200")
# Cylinder deposits are not a supply: no GST, booked to a liability account
# (customer deposits held), not to sales.
FINANCE_XERO_DEPOSIT_ACCOUNT_CODE = env("FINANCE_XERO_DEPOSIT_ACCOUNT_CODE", default="850")
FINANCE_XERO_DEPOSIT_TAX_TYPE = env("FINANCE_XERO_DEPOSIT_TAX_TYPE", default="No Tax")
FINANCE_QBO_DEPOSIT_TAX_CODE = env("FINANCE_QBO_DEPOSIT_TAX_CODE", default="Out of Scope")
FINANCE_XERO_TAX_TYPE = env("FINANCE_XERO_TAX_TYPE", default="Standard-Rated Supplies ({percent}%)")
FINANCE_QBO_TAX_CODE = env("FINANCE_QBO_TAX_CODE", default="SR {percent}%")

# Customer self-service (apps.portal, docs/customers.md).
CUSTOMER_INVITE_HOURS = env.int("CUSTOMER_INVITE_HOURS", default=72)
CUSTOMER_APP_URL = env("CUSTOMER_APP_URL", default="http://localhost:8000/app/customer")
CUSTOMER_OPEN_ORDERS_MAX = env.int("CUSTOMER_OPEN_ORDERS_MAX", default=3)
CUSTOMER_ORDERS_PER_DAY = env.int("CUSTOMER_ORDERS_PER_DAY", default=5)
CUSTOMER_CREDIT_HOLD_OVERDUE_DAYS = env.int("CUSTOMER_CREDIT_HOLD_OVERDUE_DAYS", default=30)
CUSTOMER_ORDER_DAYS_AHEAD = env.int("CUSTOMER_ORDER_DAYS_AHEAD", default=30)
CUSTOMER_STATEMENT_MAX_DAYS = env.int("CUSTOMER_STATEMENT_MAX_DAYS", default=370)
# Order e-mails to the customer's contacts (docs/customers.md, "Order e-mails"):
# the sources whose orders are announced (all by default: the customer is told
# of every order of its own, however the office entered it), how far a
# planned window must move before the contacts are told again, and how many
# times the delivered e-mail waits for the invoice PDF before rendering it itself.
ORDER_EMAIL_SOURCES = env.list("ORDER_EMAIL_SOURCES", default=["OFFICE", "IMPORT", "REPEAT", "CUSTOMER"])
ORDER_EMAIL_WINDOW_SHIFT_MINUTES = env.int("ORDER_EMAIL_WINDOW_SHIFT_MINUTES", default=30)
ORDER_EMAIL_PDF_WAITS = env.int("ORDER_EMAIL_PDF_WAITS", default=3)
# PDPA retention (docs/customers.md, "Personal data"): proof-of-delivery images
# and GPS fixes older than this are purged (13 months: a year of disputes and
# the next season's); invoices, ledger and audit are kept (IRAS: 5 years).
PERSONAL_DATA_RETENTION_DAYS = env.int("PERSONAL_DATA_RETENTION_DAYS", default=396)
# Invoice PDFs and e-mails a lost task left undone (a worker killed mid-render,
# the broker away): the sweeps look every ..._SECONDS for work older than ..._GRACE
# (the task queued after commit had its chance first). docs/operations.md.
INVOICE_PDF_SWEEP_SECONDS = env.float("INVOICE_PDF_SWEEP_SECONDS", default=60.0)
INVOICE_PDF_SWEEP_GRACE = env.float("INVOICE_PDF_SWEEP_GRACE", default=120.0)
# a task a sweep queued is not queued again for this long (the worker may be behind)
SWEEP_REQUEUE_SECONDS = env.int("SWEEP_REQUEUE_SECONDS", default=600)
CELERY_BEAT_SCHEDULE["invoice-pdf-sweep"] = {
    "task": "apps.deliveries.tasks.invoice_pdf_sweep",
    "schedule": INVOICE_PDF_SWEEP_SECONDS,
}
CELERY_BEAT_SCHEDULE["purge-personal-data"] = {
    "task": "apps.deliveries.tasks.purge_personal_data",
    "schedule": crontab(minute=30, hour=3),  # off-peak, Singapore time (CELERY_TIMEZONE)
}
REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["customer_export"] = env("CUSTOMER_EXPORT_RATE", default="5/hour")
