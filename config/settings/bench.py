"""Benchmark settings (bench/ceiling.py): the test settings with Celery tasks
queued, not run inline, as in production, where a worker renders the invoice
PDFs after commit; the benchmark measures the write path, not WeasyPrint."""

from .test import *  # noqa: F403

CELERY_TASK_ALWAYS_EAGER = False
CELERY_BROKER_URL = "memory://"
AUDIT_SEAL_ON_COMMIT = False  # sealed by `manage.py seal_audit --loop` beside the server, as under beat
