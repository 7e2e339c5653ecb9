"""The dispatch board and the load sheets, office pages inside the admin.

The board is one page (``templates/admin/dispatch/board.html``) and a plain
ES module (``static/dispatch/board.js``) that reads the board JSON and
writes through the dispatch API. The API takes JWTs; the admin has a
session, so the board calls the very same API views under its own URLs with
``SessionAuthentication`` (which enforces CSRF), as the finance pages do.
Nothing here writes or audits: the API's services do."""

from datetime import date, datetime, time, timedelta

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
    params: dict[str, int | str] = {"vehicle": vehicle_id}
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


# -- the office home (apps.core.admin_home) -------------------------------------------


def dispatcher_home(request, day: date) -> dict | None:
    """Dispatchers (and the auditor): the day at a glance, from the board."""
    from apps.dispatch import selectors

    if role_of(request.user) not in BOARD_READERS:
        return None
    board = selectors.dispatch_board(user=request.user, day=day)
    late = [
        {"plate": t["vehicle"]["plate_number"], **stop}
        for t in board["trucks"]
        for stop in (t["route"] or {}).get("stops", [])
        if stop["late"]
    ]
    return {
        "template": "admin/home/dispatcher.html",
        "day": day,
        "plan": board["plan"],
        "counts": board["counts"],
        "trucks": len(board["trucks"]),
        "trucks_out": sum(1 for t in board["trucks"] if t["out"]),
        "clashes": len(board["clashes"]),
        "late": [{**stop, "eta_hhmm": _hhmm(stop["eta"])} for stop in late[:8]],
        "board_url": f"{reverse('admin:dispatch_board')}?date={day.isoformat()}",
    }


def _hhmm(iso: str | None) -> str:
    return iso[11:16] if iso and len(iso) >= 16 else ""


def depot_counter_home(request, day: date) -> dict | None:
    """The depot counter: the trucks to load for the day's plan (each a link
    to the counter pre-filled from its load sheet) and the trucks with
    cylinders on board to take back."""
    from apps.dispatch import selectors
    from apps.distribution.selectors import distribution_list
    from apps.inventory.selectors import stock_balance_list

    role = role_of(request.user)
    if role not in (*DISPATCHERS, Role.DEPOT_STAFF):
        return None
    depot_id = request.user.depot_id if role == Role.DEPOT_STAFF else None
    sheets = selectors.load_sheets_today(depot_id=depot_id, day=day)
    vehicles = Vehicle.objects.in_bulk([s["vehicle"]["id"] for s in sheets])
    start = timezone.make_aware(datetime.combine(day, time.min))
    loaded = dict(
        distribution_list(user=request.user)
        .filter(occurred_at__gte=start, occurred_at__lt=start + timedelta(days=1))
        .filter(total_collection__gt=0, vehicle_id__in=vehicles)
        .order_by("vehicle_id", "occurred_at")
        .values_list("vehicle_id", "number")
    )
    to_load = [
        {
            **sheet,
            "total": sum(line["to_load"] for line in sheet["lines"]),
            "loaded": loaded.get(sheet["vehicle"]["id"]),
            "counter_url": counter_url(
                vehicle_id=sheet["vehicle"]["id"],
                depot_id=vehicles[sheet["vehicle"]["id"]].home_depot_id,
                lines=sheet["lines"],
            ),
            "sheet_url": f"{reverse('admin:dispatch_load_sheet', args=[sheet['vehicle']['id']])}?date={day}",
        }
        for sheet in sheets
    ]
    on_board: dict[int, dict] = {}
    balances = stock_balance_list(user=request.user).filter(location__vehicle__isnull=False)
    for row in balances.select_related("location__vehicle").order_by("location__vehicle__plate_number"):
        if not (row.full_qty or row.empty_qty):
            continue
        vehicle = row.location.vehicle
        if vehicle is None:
            continue
        truck = on_board.setdefault(vehicle.pk, {"vehicle": vehicle, "full": 0, "empty": 0})
        truck["full"] += row.full_qty
        truck["empty"] += row.empty_qty
    take_back = [
        {**truck, "counter_url": counter_url(vehicle_id=pk, depot_id=truck["vehicle"].home_depot_id, lines=[])}
        for pk, truck in on_board.items()
    ]
    return {
        "template": "admin/home/depot_counter.html",
        "day": day,
        "to_load": to_load,
        "take_back": take_back,
        "counter": reverse("admin:distribution_distributionheader_counter"),
    }
