"""The embedded SQLite database is opened durable: WAL journal with
synchronous=FULL (a commit is on disk before it is acknowledged), foreign keys
on, writers queued at BEGIN. Runs on every backend: it opens its own SQLite
file through the same DATABASE_URL parsing the embedded default uses."""

import pytest
from django.db.utils import ConnectionHandler

from config.env import database_config


@pytest.fixture(autouse=True)
def _own_connections(django_db_blocker):
    # These connections are to a private file, not the test database.
    with django_db_blocker.unblock():
        yield


def _open(url):
    handler = ConnectionHandler({"default": database_config(url)})
    return handler["default"]


def test_embedded_sqlite_is_wal_with_full_sync(tmp_path):
    conn = _open(f"sqlite:///{tmp_path / 'durable.sqlite3'}")
    try:
        with conn.cursor() as cur:
            cur.execute("PRAGMA journal_mode")
            assert cur.fetchone()[0] == "wal"
            cur.execute("PRAGMA synchronous")
            assert cur.fetchone()[0] == 2  # 0 OFF, 1 NORMAL, 2 FULL, 3 EXTRA
            cur.execute("PRAGMA foreign_keys")
            assert cur.fetchone()[0] == 1
        assert conn.settings_dict["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    finally:
        conn.close()


def test_committed_rows_are_in_the_wal_file_when_acknowledged(tmp_path):
    path = tmp_path / "durable.sqlite3"
    conn = _open(f"sqlite:///{path}")
    try:
        with conn.cursor() as cur:
            cur.execute("CREATE TABLE t (amount TEXT)")
            cur.execute("INSERT INTO t VALUES ('435.83')")
        # autocommit: the insert is committed; a second, independent connection
        # (another process after a crash would be the same) reads it back.
        other = _open(f"sqlite:///{path}")
        try:
            with other.cursor() as cur:
                cur.execute("SELECT amount FROM t")
                assert cur.fetchall() == [("435.83",)]
        finally:
            other.close()
        assert (tmp_path / "durable.sqlite3-wal").stat().st_size > 0
    finally:
        conn.close()
