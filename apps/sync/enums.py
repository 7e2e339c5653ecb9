from django.db import models


class SyncStatus(models.TextChoices):
    APPLIED = "applied"
    DUPLICATE = "duplicate"
    REJECTED = "rejected"


class SyncAuditAction(models.TextChoices):
    DEVICE_REGISTERED = "device.registered"
    DEVICE_REVOKED = "device.revoked"
    DEVICE_REGISTER_REFUSED = "device.register_refused"
    EVENT_REJECTED = "sync.event_rejected"
    BATCH_REFUSED = "sync.batch_refused"
    EVENT_RETRIED = "sync.event_retried"
    EVENT_RESOLVED = "sync.event_resolved"


# The sync protocol's own refusal codes, and what a supervisor should do next.
# Business codes raised by the services (insufficient_stock, ...) pass through
# unchanged; NEXT_STEPS covers the common ones and falls back to DEFAULT_NEXT_STEP.
NEXT_STEPS: dict[str, str] = {
    "unknown_device": "The phone is not registered to this driver. Ask them to sign out and in again so the "
    "phone registers its key, then send again.",
    "device_revoked": "This phone was revoked. If the revocation stands, re-enter the event by hand after "
    "checking it with the driver; otherwise have the driver register the phone again.",
    "invalid_signature": "The event does not match its signature (altered or signed by another key). Treat as "
    "suspect: check with the driver and re-enter by hand only if it really happened.",
    "event_in_future": "The phone's clock is ahead. Ask the driver to set automatic time; the event can then "
    "be sent again.",
    "event_too_old": "The event is older than the sync window. Check it against the paper receipt and re-enter "
    "it online with today's date if it really happened.",
    "unknown_event_type": "The app sent an action this server does not know. Update the app, then send again.",
    "invalid_event": "The event is malformed. Update the app; re-enter the action by hand if needed.",
    "invalid_content": "The event carries values no database can keep (NUL characters, broken Unicode, numbers "
    "out of range). Check the phone's app version; re-enter the action by hand if it really happened.",
    "vehicle_not_assigned": "The event is for a vehicle that is not assigned to this driver. Check the assignment "
    "(Users, vehicle); if it was wrong at the time, correct it, then retry; otherwise re-enter under the right "
    "driver.",
    "internal_error": "The server failed unexpectedly on this event (see the request id in the logs). Once the "
    "cause is fixed, use Retry; the event is applied exactly once.",
    "invalid": "The event's content failed validation (see detail). Correct it with the driver and re-enter it online.",
    "idempotency_conflict": "This event id was already used for a different action. Compare both with the "
    "driver; re-enter the missing one online.",
    "insufficient_stock": "The ledger does not have the stock this event needs (another handover came first). "
    "Count the vehicle, record the missing movement or an adjustment, then have the driver send it again.",
    "permission_denied": "The driver may not record this (wrong vehicle or depot). Fix the assignment or "
    "re-enter it under the right vehicle.",
    "invalid_movement": "The movement does not fit its locations. Re-enter it correctly online.",
    "household_hours_unacknowledged": "A household delivery outside 07:00-21:00 needs the driver to acknowledge "
    "the fire-safety warning. Confirm with the driver, then send it again with the acknowledgement.",
}
DEFAULT_NEXT_STEP = "Review the event with the driver, then re-enter it online or have the phone send it again."


def next_step(code: str) -> str:
    return NEXT_STEPS.get(code, DEFAULT_NEXT_STEP)
