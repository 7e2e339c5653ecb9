"""Dispatch over HTTP: plan, move, lock (commands, each with its key), the
board, load sheets, routes and plan versions (role-scoped selectors)."""

from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.api import SafeLookupMixin
from apps.core.commands import command_create
from apps.core.db import retry_on_conflict
from apps.core.permissions import roles
from apps.core.roles import Role
from apps.depots.models import Vehicle
from apps.dispatch import selectors, services
from apps.dispatch.commands import DISPATCH_LOCK, DISPATCH_MOVE, DISPATCH_PLAN
from apps.dispatch.serializers import (
    BoardClash,
    BoardOutput,
    ClashResolveInput,
    DateQuery,
    DispatchPlanSerializer,
    LoadSheetOutput,
    RouteOutput,
)
from apps.orders.models import RouteClash
from apps.orders.selectors import route_plan_list
from apps.orders.serializers import RoutePlanInput, RoutePlanSerializer
from apps.orders.services import route_clash_resolve

DISPATCH = [roles(Role.ADMIN, Role.SUPERVISOR)]


def _day(request):
    data = DateQuery(data=request.query_params)
    data.is_valid(raise_exception=True)
    return data.validated_data.get("date") or timezone.localdate()


class DispatchPlanViewSet(SafeLookupMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """The day's plans, newest version first; POST plans (or re-plans) a day."""

    serializer_class = DispatchPlanSerializer
    permission_classes = [IsAuthenticated]
    filterset_fields = ["date", "kind"]

    def get_queryset(self):
        return selectors.dispatch_plan_list(user=self.request.user).prefetch_related("load_lines")

    create = command_create(DISPATCH_PLAN)


class DispatchMoveViewSet(mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Put an order on another truck, locked there, and re-plan the day."""

    serializer_class = DispatchPlanSerializer
    permission_classes = DISPATCH
    create = command_create(DISPATCH_MOVE)


class DispatchLockViewSet(mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Keep an order on its truck (or free it) for the next plan."""

    serializer_class = DispatchPlanSerializer
    permission_classes = DISPATCH
    create = command_create(DISPATCH_LOCK)


class RoutePlanApi(APIView):
    """Order one driver's assigned stops of a day with the solver (the truck
    is already chosen: the board plans the whole day)."""

    permission_classes = DISPATCH

    @extend_schema(request=RoutePlanInput, responses={201: RoutePlanSerializer})
    @retry_on_conflict
    def post(self, request):
        data = RoutePlanInput(data=request.data)
        data.is_valid(raise_exception=True)
        plan = services.dispatch_route(
            actor=request.user, driver=data.validated_data["driver"], day=data.validated_data["date"]
        )
        plan = route_plan_list(user=request.user).get(pk=plan.pk)
        return Response(RoutePlanSerializer(plan).data, status=status.HTTP_201_CREATED)


class DispatchBoardApi(APIView):
    """The dispatcher's day (dispatchers; the auditor reads it)."""

    permission_classes = [roles(Role.ADMIN, Role.SUPERVISOR, Role.AUDITOR)]

    @extend_schema(parameters=[DateQuery], responses={200: BoardOutput})
    def get(self, request):
        return Response(BoardOutput(selectors.dispatch_board(user=request.user, day=_day(request))).data)


class LoadSheetApi(APIView):
    """What one truck loads for the day's plan (dispatchers, its depot's staff, the auditor)."""

    permission_classes = [roles(Role.ADMIN, Role.SUPERVISOR, Role.AUDITOR, Role.DEPOT_STAFF)]

    @extend_schema(parameters=[DateQuery], responses={200: LoadSheetOutput})
    def get(self, request, vehicle_id: int):
        vehicle = get_object_or_404(Vehicle.objects.select_related("home_depot"), pk=vehicle_id)
        sheet = selectors.load_sheet(user=request.user, day=_day(request), vehicle=vehicle)
        return Response(LoadSheetOutput(sheet).data)


class DispatchRouteApi(APIView):
    """The day's routes with ETAs: a driver reads only their own."""

    permission_classes = [IsAuthenticated]

    @extend_schema(parameters=[DateQuery], responses={200: RouteOutput(many=True)})
    def get(self, request):
        routes = selectors.route_list(user=request.user, day=_day(request))
        return Response(RouteOutput(routes, many=True).data)


class RouteClashViewSet(viewsets.GenericViewSet):
    """A delivery made against a stop taken off the driver's list: settle it."""

    permission_classes = DISPATCH
    queryset = RouteClash.objects.all()

    @extend_schema(request=ClashResolveInput, responses={200: BoardClash})
    @action(detail=True, methods=["post"])
    @retry_on_conflict
    def resolve(self, request, pk=None):
        data = ClashResolveInput(data=request.data)
        data.is_valid(raise_exception=True)
        clash = route_clash_resolve(
            actor=request.user, clash=self.get_object(), resolution=data.validated_data["resolution"]
        )
        return Response(
            {
                "id": clash.pk,
                "order": clash.order_id,
                "delivery": clash.delivery_id,
                "driver": clash.driver_id,
                "kind": clash.kind,
                "noted_at": clash.noted_at.isoformat(),
            }
        )
