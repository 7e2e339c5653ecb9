"""Gapless document numbers (see the Sequence model)."""

from datetime import date

from django.db import IntegrityError, transaction

from apps.core.locks import lock_sequence, lock_sequence_or_none
from apps.core.models import Sequence


def sequence_next(*, slug: str, format_string: str) -> str:
    """Take the next number of a series. Must run inside the document's
    transaction, after every other lock it takes (the lock order ends here)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("sequence_next must run inside the document's transaction")
    series = Sequence.objects.filter(slug=slug)
    seq = lock_sequence_or_none(series)  # the last lock of every transaction; one read
    if seq is None:  # the series' first number: make the row, then lock it
        try:
            with transaction.atomic():  # savepoint: a concurrent creator wins, we lock its row
                Sequence.objects.create(slug=slug, format_string=format_string)
        except IntegrityError:
            pass
        seq = lock_sequence(series)
    seq.current_value += 1  # the row is locked: nobody else moves it meanwhile
    seq.save(update_fields=["current_value", "updated_at"])
    return seq.format(seq.current_value)


def distribution_number(day: date) -> str:
    return sequence_next(slug=f"distribution/{day:%Y-%m-%d}", format_string=f"DIST-{day:%Y%m%d}-{{value:04d}}")
