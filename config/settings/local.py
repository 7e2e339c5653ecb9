"""The embedded default: one process, SQLite under var/, eager background work."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DEBUG", default=False)
