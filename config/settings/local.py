"""The embedded default: one process, SQLite under var/, eager background work."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DEBUG", default=False)

# Hashed, precompressed (gzip + brotli) static files; WhiteNoise serves the
# hashed names with a far-future "immutable" Cache-Control (make static /
# collectstatic writes them, as in production).
STORAGES["staticfiles"] = {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}  # noqa: F405

if DEBUG:  # the browsable API only while developing; production answers JSON only
    REST_FRAMEWORK["DEFAULT_RENDERER_CLASSES"] = [  # noqa: F405
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ]
