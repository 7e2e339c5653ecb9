"""gunicorn settings for every production-like run: `make prod-up`
(scripts/prod-up.sh), docker-compose.yml and the Dockerfile. Start with
`gunicorn -c deploy/gunicorn.conf.py config.wsgi:application`.

gunicorn sits behind nginx (deploy/nginx/lpg.conf.template), which refuses
oversized requests first with JSON error bodies: request line and each header
line at most 4 KB (414 / 431), body at most DATA_UPLOAD_MAX_MEMORY_SIZE (413).
The limits below are set ABOVE what nginx lets through, so gunicorn's own
plain-text 400 is never what a client sees behind nginx; they still bound a
gunicorn reached directly (docs/operations.md, docs/errors.md).
"""

import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS") or os.environ.get("WEB_CONCURRENCY") or 2)
worker_class = "sync"
# nginx buffers whole requests before passing them on, so a slow client never
# holds a sync worker; a request taking longer than this is killed (exports of
# a year of invoices stream well within it).
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "120"))
graceful_timeout = 30
# Longer than nginx's upstream keepalive idle time, so nginx closes idle
# connections first and never sends a request on one gunicorn just closed.
keepalive = 75
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "5000"))
max_requests_jitter = 500

# Request limits (gunicorn defaults: 4094 / 100 / 8190).
# Request line: gunicorn's maximum; nginx refuses anything over 4 KB with 414.
limit_request_line = 8190
# Header fields: nginx bounds the header block (1 KB + 4 x 4 KB buffers), which
# holds at most ~4,300 minimal "a:\r\n" lines; gunicorn's default of 100 would
# answer a request with 101 small headers with its own plain-text 400.
limit_request_fields = 4400
# One header line: nginx allows 4 KB per line and appends at most an address
# to X-Forwarded-For; gunicorn's default 8190 leaves room for that.
limit_request_field_size = 8190

# X-Forwarded-Proto is trusted from these addresses only (Django reads it through
# SECURE_PROXY_SSL_HEADER in config/settings/production.py).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = os.environ.get("GUNICORN_ERROR_LOG", "-")
# The request id nginx passes on (X-Request-ID) joins nginx, gunicorn and audit rows.
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms rid=%({x-request-id}i)s'
pidfile = os.environ.get("GUNICORN_PIDFILE") or None
