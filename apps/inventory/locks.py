"""Row locks on stock balances, always taken in one order: ascending
(location id, cylinder type id), the second rank of the code base's lock
order (``apps/core/locks.py``). Missing balance rows are created first, then
locked."""

from collections.abc import Iterable
from functools import reduce
from operator import or_

from django.db.models import Q

from apps.core.locks import lock_balances
from apps.inventory.models import Location, StockBalance

BalanceKey = tuple[int, int]  # (location_id, cylinder_type_id)


def balances_lock(keys: Iterable[BalanceKey]) -> dict[BalanceKey, StockBalance]:
    wanted = sorted(set(keys))
    if not wanted:
        return {}
    match = reduce(or_, (Q(location_id=loc, cylinder_type_id=ct) for loc, ct in wanted))
    existing = set(StockBalance.objects.filter(match).values_list("location_id", "cylinder_type_id"))
    missing = [key for key in wanted if key not in existing]
    if missing:
        virtual = dict(Location.objects.filter(id__in={loc for loc, _ in missing}).values_list("id", "is_virtual"))
        StockBalance.objects.bulk_create(
            [
                StockBalance(location_id=loc, cylinder_type_id=ct, location_is_virtual=virtual[loc])
                for loc, ct in missing
            ],
            ignore_conflicts=True,
        )
    rows = lock_balances(StockBalance.objects.filter(match))
    return {(row.location_id, row.cylinder_type_id): row for row in rows}
