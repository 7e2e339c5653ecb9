"""``command_transaction`` and ``service_atomic`` (apps/core/db.py): a write
service joins a command's transaction without a savepoint, keeps its own
anywhere else, and a failure inside a command rolls the whole command back."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from apps.core.db import command_transaction, service_atomic
from apps.core.models import Sequence

pytestmark = pytest.mark.django_db


class Refused(Exception):
    pass


@service_atomic
def write(slug: str, *, fail: bool = False, inner: str = "") -> None:
    Sequence.objects.create(slug=slug, format_string="{n}")
    if inner:
        write(inner)
    if fail:
        raise Refused(slug)


def savepoints(queries) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if "SAVEPOINT" in q["sql"].upper()]


def test_inside_a_command_the_services_take_no_savepoint():
    with CaptureQueriesContext(connection) as outside:
        write("outside")  # in the test's transaction: a savepoint of its own
    assert len(savepoints(outside)) == 2  # SAVEPOINT, RELEASE
    # (the test's transaction makes the command's a savepoint, opened before the capture)
    with command_transaction(), CaptureQueriesContext(connection) as inside:
        write("inside", inner="nested")  # a service calling a service: neither takes one
    assert savepoints(inside) == []
    assert set(Sequence.objects.filter(slug__in=["outside", "inside", "nested"]).values_list("slug", flat=True)) == {
        "outside", "inside", "nested",
    }  # fmt: skip


def test_a_failure_inside_a_command_rolls_the_whole_command_back_and_the_connection_goes_on():
    with pytest.raises(Refused), command_transaction():
        Sequence.objects.create(slug="before", format_string="{n}")
        write("inside", inner="nested", fail=True)
    assert not Sequence.objects.filter(slug__in=["before", "inside", "nested"]).exists()
    write("after")  # the connection is usable: nothing left marked for rollback
    assert Sequence.objects.filter(slug="after").exists()


def test_called_alone_a_failing_service_rolls_back_only_itself():
    Sequence.objects.create(slug="kept", format_string="{n}")
    with pytest.raises(Refused):
        write("refused", inner="nested", fail=True)
    assert list(Sequence.objects.filter(slug__in=["kept", "refused", "nested"]).values_list("slug", flat=True)) == [
        "kept"
    ]


def test_an_atomic_block_between_the_command_and_the_service_keeps_the_savepoint():
    # transaction.atomic() between them: a caller that could catch an error and go on
    with command_transaction(), transaction.atomic(), CaptureQueriesContext(connection) as queries:
        write("guarded")
    assert len(savepoints(queries)) == 2
