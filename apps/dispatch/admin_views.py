"""The dispatch board and the load sheets, office pages inside the admin.

The board is one page (``templates/admin/dispatch/board.html``) and a plain
ES module (``static/dispatch/board.js``) that reads the board JSON and
writes through the dispatch API. The API takes JWTs; the admin has a
session, so the board calls the very same API views under its own URLs with
``SessionAuthentication`` (which enforces CSRF), as the finance pages do.
Nothing here writes or audits: the API's services do."""

from datetime import date

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from rest_framework.authentication import SessionAuthentication

from apps.core.admin_forms import require_role
from apps.core.exceptions import Forbidden
from apps.core.permissions import role_of
from apps.core.roles import Role
from apps.depots.models import Vehicle

DISPATCHERS = (Role.ADMIN, Role.SUPERVISOR)
BOARD_READERS = DISPATCHERS + (Role.AUDITOR,)
LOAD_SHEET_READERS = BOARD_READERS + (Role.DEPOT_STAFF,)


def day_from(request) -> date:
    """?date=YYYY-MM-DD, else today in Singapore."""
    raw = request.GET.get("date", "")
    try:
        return date.fromisoformat(raw) if raw else timezone.localdate()
    except ValueError:
        return timezone.localdate()


def map_config() -> dict:
    """The tile layer for the board's map; none at all when no tile server is
    set (the routes are still drawn, on a blank map)."""
    url = getattr(settings, "DISPATCH_MAP_TILE_URL", "")
    if not url:
        return {"tiles": None}
    return {"tiles": {"url": url, "attribution": getattr(settings, "DISPATCH_MAP_ATTRIBUTION", "")}}


def may_dispatch(user) -> bool:
    return role_of(user) in DISPATCHERS


def _session(api_view_class, **initkwargs):
    """An API view of the dispatch API, for the admin's session (CSRF checked)."""
    return api_view_class.as_view(authentication_classes=[SessionAuthentication], **initkwargs)


def board_page(model_admin, request):
    require_role(request, *BOARD_READERS)
    day = day_from(request)
    context = {
        **model_admin.admin_site.each_context(request),
        "title": f"Dispatch board: {day:%a %d %b %Y}",
        "opts": model_admin.model._meta,
        "day": day,
        "read_only": not may_dispatch(request.user),
        "board_config": {
            "date": day.isoformat(),
            "csrf": get_token(request),
            "readOnly": not may_dispatch(request.user),
            "urls": {
                "board": reverse("admin:dispatch_board_data"),
                "page": reverse("admin:dispatch_board"),
                "plans": reverse("admin:dispatch_board_api", args=["plans"]),
                "moves": reverse("admin:dispatch_board_api", args=["moves"]),
                "locks": reverse("admin:dispatch_board_api", args=["locks"]),
                "clashResolve": reverse("admin:dispatch_board_clash_resolve", args=[0]),
                "loadSheet": reverse("admin:dispatch_load_sheet", args=[0]),
                "static": settings.STATIC_URL,
            },
            "map": map_config(),
        },
    }
    return TemplateResponse(request, "admin/dispatch/board.html", context)


def board_data(model_admin, request):
    """GET: the board JSON (the API's board view, for the admin session)."""
    from apps.dispatch import apis

    require_role(request, *BOARD_READERS)
    return _session(apis.DispatchBoardApi)(request)


def board_api(model_admin, request, action: str):
    """POST: plan / re-plan the day, move a stop, lock a stop: the API's own
    views and commands (same idempotency scopes, same audit); the auditor is
    refused there by the API's permissions, as on /api/."""
    from apps.dispatch import apis

    views = {"plans": apis.DispatchPlanViewSet, "moves": apis.DispatchMoveViewSet, "locks": apis.DispatchLockViewSet}
    require_role(request, *BOARD_READERS)
    if action not in views:
        raise Http404
    return _session(views[action], actions={"post": "create"})(request)


def board_clash_resolve(model_admin, request, pk: int):
    from apps.dispatch import apis

    require_role(request, *BOARD_READERS)
    return _session(apis.RouteClashViewSet, actions={"post": "resolve"}, detail=True)(request, pk=pk)


# -- the load sheet --------------------------------------------------------------------


def counter_url(*, vehicle_id: int, depot_id: int | None, lines: list[dict]) -> str:
    """The depot counter, pre-filled with the truck and what it loads."""
    params = {"vehicle": vehicle_id}
    if depot_id:
        params["depot"] = depot_id
    load = ",".join(f"{line['cylinder_type']}:{line['to_load']}" for line in lines if line["to_load"])
    if load:
        params["load"] = load
    return f"{reverse('admin:distribution_distributionheader_counter')}?{urlencode(params)}"


def load_sheet_page(model_admin, request, vehicle_id: int):
    """A truck's load sheet for a day, printable on A4: what to load at the
    depot (the plan's stops plus the buffer) and its stops in order; its link
    opens the depot counter pre-filled with the truck and the fulls to load."""
    from apps.dispatch import selectors

    require_role(request, *LOAD_SHEET_READERS)
    day = day_from(request)
    vehicle = get_object_or_404(Vehicle.objects.select_related("home_depot"), pk=vehicle_id)
    try:
        sheet = selectors.load_sheet(user=request.user, day=day, vehicle=vehicle)
    except Forbidden as exc:
        raise PermissionDenied(str(exc.detail)) from exc
    routes = selectors.route_list(user=request.user, day=day).filter(vehicle=vehicle)
    route = routes.prefetch_related("stops__order__lines__cylinder_type").first()
    context = {
        **model_admin.admin_site.each_context(request),
        "title": f"Load sheet {vehicle.plate_number}, {day:%a %d %b %Y}",
        "opts": model_admin.model._meta,
        "day": day,
        "vehicle": vehicle,
        "sheet": sheet,
        "route": route,
        "stops": route.stops.all() if route else [],
        "may_board": role_of(request.user) in BOARD_READERS,
        "counter_url": counter_url(vehicle_id=vehicle.pk, depot_id=sheet["depot"]["id"], lines=sheet["lines"]),
        "printed_at": timezone.localtime(),
    }
    return TemplateResponse(request, "admin/dispatch/load_sheet.html", context)
