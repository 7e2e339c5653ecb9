"""The office home: after signing in to the admin, each role lands on its day
(the admin index shows these blocks above the model list, which stays).

Each block is a function ``(request, day) -> dict | None`` in the app that
owns its data, named here by dotted path (as ``ADMIN_SCOPES`` names the
selectors), so core imports no app above it. The dict is the context of the
block's template, ``template`` included; None leaves the block out. Blocks
read only (selectors) and link to the pages that act."""

from importlib import import_module

from django.utils import timezone

from apps.core.permissions import role_of
from apps.core.roles import Role

DISPATCHER = "apps.dispatch.admin_views.dispatcher_home"
DEPOT_COUNTER = "apps.dispatch.admin_views.depot_counter_home"
FINANCE = "apps.finance.admin_home.finance_home"

HOME_BLOCKS: dict[str, tuple[str, ...]] = {
    Role.ADMIN: (DISPATCHER, DEPOT_COUNTER, FINANCE),
    Role.SUPERVISOR: (DISPATCHER, DEPOT_COUNTER),
    Role.DEPOT_STAFF: (DEPOT_COUNTER,),
    Role.FINANCE: (FINANCE,),
    Role.AUDITOR: (DISPATCHER, FINANCE),
}


def _function(path: str):
    module, name = path.rsplit(".", 1)
    return getattr(import_module(module), name)


def home_blocks(request) -> list[dict]:
    day = timezone.localdate()
    blocks = []
    for path in HOME_BLOCKS.get(role_of(request.user) or "", ()):
        block = _function(path)(request, day)
        if block is not None:
            blocks.append(block)
    return blocks
