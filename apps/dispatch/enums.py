from django.db import models


class PlanKind(models.TextChoices):
    PLAN = "PLAN", "Plan of the day"
    REPLAN = "REPLAN", "Re-plan (trucks out keep their done stops)"
    MOVE = "MOVE", "A stop moved to another truck"
    LOCK = "LOCK", "A stop locked or unlocked"


class DispatchAuditAction(models.TextChoices):
    PLANNED = "dispatch.planned"
    STOP_MOVED = "dispatch.stop_moved"
    STOP_LOCKED = "dispatch.stop_locked"
