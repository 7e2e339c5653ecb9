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
from apps.core.commands import command_create
from apps.core.db import retry_on_conflict
from apps.core.permissions import roles
from apps.core.roles import Role
from apps.orders import policies, selectors, services
from apps.orders.commands import DAY_END_COUNT_CREATE, ORDERS_IMPORT, REPEAT_ORDERS_GENERATE
from apps.orders.receipts import day_summary_receipt_bytes
from apps.orders.serializers import (
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
    return policies.day_driver(request.user, data.get("driver")), data.get("date") or timezone.localdate()


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


class OrderImportApi(APIView):
    """A day's orders from a CSV file, all or nothing (the ``orders.import`` command)."""

    permission_classes = DISPATCH
    post = command_create(ORDERS_IMPORT)


class RepeatOrdersGenerateApi(APIView):
    """The day's orders from the standing orders (the ``repeat_orders.generate`` command)."""

    permission_classes = DISPATCH
    post = command_create(REPEAT_ORDERS_GENERATE)


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

    create = command_create(DAY_END_COUNT_CREATE)

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
