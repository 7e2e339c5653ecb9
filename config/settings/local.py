"""The embedded default: one process, SQLite under var/, eager background work."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DEBUG", default=False)

# Hashed, precompressed (gzip + brotli) static files; WhiteNoise serves the
# hashed names with a far-future "immutable" Cache-Control (make static /
# collectstatic writes them, as in production).
STORAGES["staticfiles"] = {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}  # noqa: F405
