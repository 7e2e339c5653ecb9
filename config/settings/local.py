"""The embedded default: one process, SQLite under var/, eager background work."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DEBUG", default=False)

if DEBUG:  # the browsable API only while developing; production answers JSON only
    REST_FRAMEWORK["DEFAULT_RENDERER_CLASSES"] = [  # noqa: F405
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ]
