"""``consistent_snapshot`` (apps/core/db.py): the reads of a check made of
several queries (``reconcile_inventory``) see one committed state on
MariaDB/MySQL and PostgreSQL, though another connection commits in between;
SQLite (one node) reads as it is."""

import threading

import pytest
from django.db import connection

from apps.core.db import consistent_snapshot
from apps.core.models import Sequence

pytestmark = pytest.mark.django_db(transaction=True)


def commit_from_another_connection(slug: str) -> None:
    def write():
        try:
            Sequence.objects.create(slug=slug, format_string="{n}")
        finally:
            connection.close()

    thread = threading.Thread(target=write)
    thread.start()
    thread.join(30)


def test_a_commit_between_two_reads_is_not_seen_inside_the_snapshot():
    Sequence.objects.create(slug="first", format_string="{n}")
    ours = Sequence.objects.filter(slug__in=["first", "second"])
    with consistent_snapshot():
        before = ours.count()
        commit_from_another_connection("second")  # committed now, by another connection
        after = ours.count()
    if connection.vendor == "sqlite":
        assert (before, after) == (1, 2)  # no snapshot on the one-node database
    else:
        assert (before, after) == (1, 1)  # one snapshot for both reads
    assert ours.count() == 2  # and seen once the snapshot is over


def test_the_snapshot_is_read_only():
    if connection.vendor == "sqlite":
        with consistent_snapshot():
            Sequence.objects.create(slug="sqlite-writes", format_string="{n}")  # no transaction opened there
        assert Sequence.objects.filter(slug="sqlite-writes").exists()
        return
    from django.db import DatabaseError

    with pytest.raises(DatabaseError), consistent_snapshot():
        Sequence.objects.create(slug="refused", format_string="{n}")
    assert not Sequence.objects.filter(slug="refused").exists()
