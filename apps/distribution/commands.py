"""The writes of this app, online and offline (see ``apps/core/commands.py``)."""

from apps.core.commands import Command, register
from apps.distribution import policies
from apps.distribution.serializers import DistributionInput, DistributionSerializer
from apps.distribution.services import distribution_create

DISTRIBUTION_CREATE = register(
    Command(
        name="distribution.create",
        input=DistributionInput,
        service=distribution_create,
        output=DistributionSerializer,
        authorize=policies.distribution_create_allowed,
        sync_event=True,
    )
)
