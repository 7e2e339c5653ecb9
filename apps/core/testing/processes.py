"""For tests that start another process (a Celery worker, a task's body) on the
test database: the ``DATABASE_URL`` that names the database this test uses."""

from pathlib import Path

from django.db import connection


def worker_database_url() -> str:
    s = connection.settings_dict
    vendor = connection.vendor
    if vendor == "sqlite":
        return f"sqlite:///{Path(s['NAME']).resolve()}"
    user, host, port, name = s["USER"], s["HOST"] or "127.0.0.1", s["PORT"], s["NAME"]
    password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
    scheme = {"mysql": "mysql", "postgresql": "postgres"}[vendor]
    return f"{scheme}://{user}{password}@{host}:{port}/{name}"
