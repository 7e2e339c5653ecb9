from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.api import SafeLookupMixin
from apps.core.db import retry_on_conflict
from apps.core.exceptions import Forbidden, ValidationFailed
from apps.core.idempotency import idempotent_create
from apps.core.permissions import role_of, roles
from apps.core.roles import Role
from apps.orders import selectors, services
from apps.orders.receipts import day_summary_receipt_bytes
from apps.orders.serializers import (
    DayEndCountInput,
    DayEndCountSerializer,
    DaySelectionInput,
    DaySummaryOutput,
    MyDayOutput,
    OrderInput,
    OrderSerializer,
    OrderUpdateInput,
    ReasonInput,
    RoutePlanInput,
    RoutePlanSerializer,
)

DISPATCH = [roles(Role.ADMIN, Role.SUPERVISOR)]


def driver_and_day(request, data: dict):
    """Whose day: a driver always their own; the office and depot staff name one."""
    role = role_of(request.user)
    driver = data.get("driver")
    if role == Role.DRIVER:
        if driver is not None and driver.pk != request.user.pk:
            raise Forbidden("A driver sees only their own day.")
        driver = request.user
    elif driver is None:
        raise ValidationFailed({"driver": ["Name the driver."]})
    elif role == Role.DEPOT_STAFF:
        if not driver.vehicle_id or driver.vehicle.home_depot_id != request.user.depot_id:
            raise Forbidden("Depot staff see only the drivers of their own depot.")
    elif role not in (Role.ADMIN, Role.SUPERVISOR, Role.FINANCE):
        raise Forbidden("Your role may not see drivers' days.")
    return driver, data.get("date") or timezone.localdate()


class OrderViewSet(SafeLookupMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Orders: dispatchers create and change them; a driver reads their own for today."""

    serializer_class = OrderSerializer
    permission_classes = [IsAuthenticated]
    filterset_fields = ["status", "driver", "customer", "scheduled_for"]
    ordering_fields = ["id", "scheduled_for"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return selectors.order_list(user=self.request.user)

    def get_permissions(self):
        if self.action in ("create", "partial_update", "cancel"):
            return [p() for p in DISPATCH]
        return super().get_permissions()

    @extend_schema(request=OrderInput, responses={201: OrderSerializer})
    @retry_on_conflict
    def create(self, request, *args, **kwargs):
        data = OrderInput(data=request.data)
        data.is_valid(raise_exception=True)
        order = services.order_create(actor=request.user, **data.validated_data)
        return Response(OrderSerializer(order).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=OrderUpdateInput, responses={200: OrderSerializer})
    @retry_on_conflict
    def partial_update(self, request, *args, **kwargs):
        order = self.get_object()
        data = OrderUpdateInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        order = services.order_update(actor=request.user, order=order, **data.validated_data)
        return Response(OrderSerializer(order).data)

    @extend_schema(request=ReasonInput, responses={200: OrderSerializer})
    @action(detail=True, methods=["post"])
    @retry_on_conflict
    def cancel(self, request, pk=None):
        data = ReasonInput(data=request.data)
        data.is_valid(raise_exception=True)
        order = services.order_cancel(actor=request.user, order=self.get_object(), **data.validated_data)
        return Response(OrderSerializer(order).data)


class RoutePlanViewSet(SafeLookupMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = RoutePlanSerializer
    permission_classes = [IsAuthenticated]
    filterset_fields = ["driver", "date"]

    def get_queryset(self):
        return selectors.route_plan_list(user=self.request.user)


class RoutePlanApi(APIView):
    permission_classes = DISPATCH

    @extend_schema(request=RoutePlanInput, responses={201: RoutePlanSerializer})
    @retry_on_conflict
    def post(self, request):
        data = RoutePlanInput(data=request.data)
        data.is_valid(raise_exception=True)
        plan = services.route_plan(
            actor=request.user, driver=data.validated_data["driver"], day=data.validated_data["date"]
        )
        plan = selectors.route_plan_list(user=request.user).get(pk=plan.pk)
        return Response(RoutePlanSerializer(plan).data, status=status.HTTP_201_CREATED)


class MyDayApi(APIView):
    """The driver's screen: truck stock, stops in route order, the day's totals."""

    permission_classes = [IsAuthenticated]

    @extend_schema(parameters=[DaySelectionInput], responses={200: MyDayOutput})
    def get(self, request):
        data = DaySelectionInput(data=request.query_params)
        data.is_valid(raise_exception=True)
        driver, day = driver_and_day(request, data.validated_data)
        return Response(MyDayOutput(selectors.my_day(driver=driver, day=day)).data)


class DayEndCountViewSet(SafeLookupMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """The truck's physical count at day end; a variance waits for a supervisor."""

    serializer_class = DayEndCountSerializer
    permission_classes = [IsAuthenticated]
    filterset_fields = ["driver", "vehicle", "date", "status"]

    def get_queryset(self):
        return selectors.day_end_count_list(user=self.request.user)

    @extend_schema(request=DayEndCountInput, responses={201: DayEndCountSerializer})
    @idempotent_create("day_end_count.create")
    @retry_on_conflict
    def create(self, request, *args, **kwargs):
        data = DayEndCountInput(data=request.data)
        data.is_valid(raise_exception=True)
        driver, day = driver_and_day(request, data.validated_data)
        count = services.day_end_count_record(
            actor=request.user,
            driver=driver,
            day=day,
            lines=data.validated_data["lines"],
            note=data.validated_data["note"],
        )
        return Response(DayEndCountSerializer(count).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ReasonInput, responses={200: DayEndCountSerializer})
    @action(detail=True, methods=["post"], permission_classes=DISPATCH)
    @retry_on_conflict
    def approve(self, request, pk=None):
        data = ReasonInput(data=request.data)
        data.is_valid(raise_exception=True)
        count = services.day_end_variance_approve(actor=request.user, count=self.get_object(), **data.validated_data)
        return Response(DayEndCountSerializer(count).data)

    @extend_schema(request=ReasonInput, responses={200: DayEndCountSerializer})
    @action(detail=True, methods=["post"], url_path="send-back", permission_classes=DISPATCH)
    @retry_on_conflict
    def send_back(self, request, pk=None):
        data = ReasonInput(data=request.data)
        data.is_valid(raise_exception=True)
        count = services.day_end_count_return(actor=request.user, count=self.get_object(), **data.validated_data)
        return Response(DayEndCountSerializer(count).data)


class DayEndSummaryApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(parameters=[DaySelectionInput], responses={200: DaySummaryOutput})
    def get(self, request):
        data = DaySelectionInput(data=request.query_params)
        data.is_valid(raise_exception=True)
        driver, day = driver_and_day(request, data.validated_data)
        return Response(DaySummaryOutput(selectors.day_summary(driver=driver, day=day)).data)


class DayEndReceiptApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(parameters=[DaySelectionInput], responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    def get(self, request):
        data = DaySelectionInput(data=request.query_params)
        data.is_valid(raise_exception=True)
        driver, day = driver_and_day(request, data.validated_data)
        body = day_summary_receipt_bytes(selectors.day_summary(driver=driver, day=day))
        response = HttpResponse(body, content_type="application/octet-stream")
        response["Content-Disposition"] = f'attachment; filename="day-end-{driver.pk}-{day}.bin"'
        return response
