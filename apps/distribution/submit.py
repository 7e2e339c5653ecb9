"""One entry point for a distribution request, online (Idempotency-Key) or
offline (sync event id): validate the payload, then create it at most once.
The online API and the sync handler both call this, so a key is one key."""

import uuid
from datetime import datetime

from apps.core.idempotency import IdempotentResult, run_idempotent
from apps.distribution.serializers import DistributionInput, DistributionSerializer
from apps.distribution.services import distribution_create

SCOPE = "distribution.create"


def distribution_submit(
    *, actor, payload, key: uuid.UUID | None, occurred_at: datetime | None = None
) -> IdempotentResult:
    data = DistributionInput(data=payload)
    data.is_valid(raise_exception=True)
    return run_idempotent(
        key=key,
        scope=SCOPE,
        payload=data.canonical(),
        user=actor,
        action=lambda: (
            DistributionSerializer(
                distribution_create(actor=actor, occurred_at=occurred_at, **data.validated_data)
            ).data
        ),
    )
