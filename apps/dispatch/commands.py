"""The writes of dispatch (see ``apps/core/commands.py``): each one
idempotent by its key, like every other write."""

from apps.core.commands import Command, register
from apps.dispatch import policies, services
from apps.dispatch.serializers import DispatchPlanSerializer, LockInput, LockOutput, MoveInput, PlanInput

DISPATCH_PLAN = register(
    Command(
        name="dispatch.plan",
        input=PlanInput,
        prepare=services.dispatch_plan_prepare,  # read and solve before the transaction
        service=services.dispatch_plan,
        output=DispatchPlanSerializer,
        authorize=policies.dispatcher_only,
    )
)

DISPATCH_MOVE = register(
    Command(
        name="dispatch.move",
        input=MoveInput,
        service=services.dispatch_move,
        output=DispatchPlanSerializer,
        authorize=policies.dispatcher_only,
    )
)

DISPATCH_LOCK = register(
    Command(
        name="dispatch.lock",
        input=LockInput,
        service=services.dispatch_lock,
        output=LockOutput,
        authorize=policies.dispatcher_only,
    )
)
