"""Test settings: same database choice (DATABASE_URL), fast hashing, eager tasks."""

from .base import *  # noqa: F403
from .base import DATABASES, VAR_DIR, env

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CELERY_TASK_ALWAYS_EAGER = True
MEDIA_ROOT = VAR_DIR / "test-media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

_db = DATABASES["default"]
if _db["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not :memory:, so threads in the concurrency tests share one database
    # and exercise the same WAL + IMMEDIATE locking as the embedded default.
    _db.setdefault("TEST", {})["NAME"] = env("TEST_SQLITE_NAME", default=str(VAR_DIR / "test.sqlite3"))

# The replica alias is a test mirror of the default database (its own
# connection to the same test database), so the router's tests run everywhere;
# routing stays off unless a test turns REPLICA_READS on (config/routers.py).
if "replica" not in DATABASES:
    DATABASES["replica"] = {**_db, "OPTIONS": dict(_db.get("OPTIONS", {})), "TEST": {"MIRROR": "default"}}
else:
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
REPLICA_READS = env.bool("REPLICA_READS", default=False)

# Flushing between transactional tests drops the append-only triggers, empties
# the tables and puts the triggers back (apps/audit/triggers.py allow_flush).
# Test settings only: production has no way around the triggers.
AUDIT_FLUSH_DROPS_TRIGGERS = True
