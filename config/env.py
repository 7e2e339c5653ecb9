"""Configuration read once from the environment (12-factor).

Every setting that differs between machines comes from here; nothing else in
the code base reads ``os.environ``.
"""

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEFAULT_DATABASE_URL = f"sqlite:///{VAR_DIR / 'db.sqlite3'}"
# Run on every new SQLite connection (the embedded default and the test database).
# `PRAGMA optimize=0x10002` (what SQLite advises for each new connection) keeps
# the planner's statistics current, sampled (analysis_limit): without them it
# reads a million-row ledger page through the filter's index and sorts it.
SQLITE_INIT_COMMAND = (
    "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; "
    "PRAGMA analysis_limit=400; PRAGMA optimize=0x10002;"
)


def database_config(url: str) -> dict:
    """Turn a DATABASE_URL into a Django DATABASES entry with the options this
    product relies on for each backend (see docs/architecture.md)."""
    config = environ.Env.db_url_config(url)
    engine = config["ENGINE"]
    options = config.setdefault("OPTIONS", {})
    if engine == "django.db.backends.sqlite3":
        # WAL lets readers run beside the one writer; IMMEDIATE takes the write
        # lock at BEGIN so concurrent writers queue (busy timeout) instead of
        # failing half-way with "database is locked". synchronous=FULL syncs
        # the WAL at every commit: a committed invoice survives a power loss
        # (NORMAL in WAL mode may lose the last commits). See docs/operations.md.
        options.setdefault("transaction_mode", "IMMEDIATE")
        options.setdefault("timeout", 30)
        options.setdefault("init_command", SQLITE_INIT_COMMAND)
    elif engine in ("django.db.backends.mysql",):
        options.setdefault("charset", "utf8mb4")
        options.setdefault("isolation_level", "read committed")
        options.setdefault(
            "init_command",
            "SET sql_mode='STRICT_TRANS_TABLES,NO_ZERO_DATE,NO_ZERO_IN_DATE,ERROR_FOR_DIVISION_BY_ZERO'",
        )
        config.setdefault("TEST", {}).update({"CHARSET": "utf8mb4", "COLLATION": "utf8mb4_unicode_ci"})
    elif engine in ("django.db.backends.postgresql",):
        config.setdefault("CONN_HEALTH_CHECKS", True)
    config.setdefault("ATOMIC_REQUESTS", False)
    return config
