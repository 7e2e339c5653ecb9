"""Production: MySQL/MariaDB or PostgreSQL, gunicorn, Celery on Redis, WhiteNoise.
Every secret comes from the environment; `manage.py check --deploy` passes."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env, mailers_from

DEBUG = False
SECRET_KEY = env("SECRET_KEY")
SIMPLE_JWT["SIGNING_KEY"] = env("JWT_SIGNING_KEY", default=SECRET_KEY)  # noqa: F405
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")

STORAGES["staticfiles"] = {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}  # noqa: F405
CACHES = {"default": env.cache("CACHE_URL", default="rediscache://127.0.0.1:6379/1")}
if CACHES["default"]["BACKEND"].endswith("RedisCache"):
    # Only the throttles use the cache; a Redis that does not answer must cost a
    # request half a second, not hang it (apps.core.throttling decides what then).
    CACHES["default"].setdefault("OPTIONS", {}).update(
        socket_connect_timeout=env.float("CACHE_TIMEOUT_SECONDS", default=0.5),
        socket_timeout=env.float("CACHE_TIMEOUT_SECONDS", default=0.5),
    )
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="redis://127.0.0.1:6379/0")
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# The audit chain head is signed with a key that is not in the database
# (docs/audit.md): required, long, and not the Django secret.
AUDIT_HMAC_KEY = env("AUDIT_HMAC_KEY")
if len(AUDIT_HMAC_KEY) < 32 or AUDIT_HMAC_KEY == SECRET_KEY:
    raise ImproperlyConfigured("AUDIT_HMAC_KEY must be at least 32 characters and differ from SECRET_KEY.")
AUDIT_SEAL_ON_COMMIT = env.bool("AUDIT_SEAL_ON_COMMIT", default=False)  # Celery beat seals (apps.audit.tasks)
AUDIT_FLUSH_DROPS_TRIGGERS = False  # never: no way around the append-only triggers

# Invoices and statements are e-mailed over SMTP (EMAIL_URL, e.g. smtp+tls://user:pass@host:587).
MAILERS = mailers_from(env.email_url("EMAIL_URL", default="smtp://localhost:25"))
