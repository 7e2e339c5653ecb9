"""Gapless document numbers (see the Sequence model)."""

from datetime import date

from django.db import IntegrityError, transaction
from django.db.models import F

from apps.core.locks import lock_sequence
from apps.core.models import Sequence


def sequence_next(*, slug: str, format_string: str) -> str:
    """Take the next number of a series. Must run inside the document's
    transaction, after every other lock it takes (the lock order ends here)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("sequence_next must run inside the document's transaction")
    try:
        with transaction.atomic():  # savepoint: a concurrent creator wins, we read its row
            Sequence.objects.get_or_create(slug=slug, defaults={"format_string": format_string})
    except IntegrityError:
        pass
    seq = lock_sequence(Sequence.objects.filter(slug=slug))  # the last lock of every transaction
    Sequence.objects.filter(pk=seq.pk).update(current_value=F("current_value") + 1)
    return seq.format(seq.current_value + 1)


def distribution_number(day: date) -> str:
    return sequence_next(slug=f"distribution/{day:%Y-%m-%d}", format_string=f"DIST-{day:%Y%m%d}-{{value:04d}}")
