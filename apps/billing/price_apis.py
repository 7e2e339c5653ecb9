"""GET /api/customers/prices/: the driver's whole customer list with the
prices each one pays, in one cacheable answer the phone keeps for offline use.

Read-only use of apps.billing.pricing's rule (customer price in force, else the
dated list price, else CylinderType.list_price; GST by the date's rate). The
answer carries *schedules* (the row in force on ``date`` and any later dated
row), so a phone that stays offline past a price change still quotes what the
invoice will say: the row with the latest ``valid_from`` on or before the
delivery's Singapore date wins, exactly as ``cylinder_price`` picks it."""

import hashlib
import json
from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import F
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.billing.models import (
    CustomerPrice,
    CylinderTypePrice,
    DepositRate,
    GstRate,
    ServiceItem,
    ServiceItemPrice,
)
from apps.billing.paynow import paynow_payload
from apps.core.exceptions import ValidationFailed
from apps.customers.selectors import customer_list
from apps.customers.serializers import CustomerPricesOutput, PayNowPayloadOutput
from apps.depots.models import CylinderType


def _schedule(rows: list[tuple[date | None, Decimal]], day: date) -> list[dict]:
    """Rows sorted by date: the one in force on ``day`` and every later one."""
    in_force = [r for r in rows if r[0] is None or r[0] <= day]
    later = [r for r in rows if r[0] is not None and r[0] > day]
    keep = in_force[-1:] + later
    return [{"valid_from": d.isoformat() if d else None, "price": f"{p:.2f}"} for d, p in keep]


def _grouped(qs, key: str) -> dict[int, list[tuple[date | None, Decimal]]]:
    out: dict[int, list[tuple[date | None, Decimal]]] = defaultdict(list)
    for k, valid_from, price in qs.order_by(key, "valid_from").values_list(key, "valid_from", "price"):
        out[k].append((valid_from, price))
    return out


def customer_prices(*, user, day: date) -> dict:
    """Selector: a fixed number of queries whatever the number of customers."""
    customers: list[Any] = list(
        customer_list(user=user)
        .filter(is_active=True)
        .order_by("name", "id")
        .values(
            "id",
            "code",
            "name",
            "kind",
            "site_address",
            "postal_code",
            "phone",
            "latitude",
            "longitude",
            "payment_terms",
            "credit_term_days",
        )  # fmt: skip
    )
    ids = [c["id"] for c in customers]
    own: dict[int, dict[int, list]] = defaultdict(lambda: defaultdict(list))
    own_rows = (
        CustomerPrice.objects.filter(customer__in=customer_list(user=user).filter(is_active=True))
        .order_by("customer_id", "cylinder_type_id", "valid_from")
        .values_list("customer_id", "cylinder_type_id", "valid_from", "price")
    )
    for customer_id, type_id, valid_from, price in own_rows:
        own[customer_id][type_id].append((valid_from, price))

    list_rows = _grouped(CylinderTypePrice.objects.all(), "cylinder_type_id")
    deposit_rows = _grouped(DepositRate.objects.all().annotate(price=F("amount")), "cylinder_type_id")
    types = []
    for t in CylinderType.objects.filter(is_active=True).order_by("id").values("id", "name", "list_price"):
        rows = list_rows.get(t["id"], [])
        if not any(d is not None and d <= day for d, _ in rows) and t["list_price"] is not None:
            rows = [(None, t["list_price"]), *rows]
        deposits = [r for r in _schedule(deposit_rows.get(t["id"], []), day) if r["valid_from"] is not None]
        types.append({"id": t["id"], "name": t["name"], "prices": _schedule(rows, day), "deposits": deposits})

    service_rows = _grouped(ServiceItemPrice.objects.all(), "service_item_id")
    services = [
        {**s, "prices": _schedule(service_rows.get(s["id"], []), day)}
        for s in ServiceItem.objects.filter(is_active=True).order_by("id").values("id", "code", "name")
    ]

    gst_rows: list[tuple[date | None, Decimal]] = list(
        GstRate.objects.order_by("valid_from").values_list("valid_from", "rate")
    )
    if not any(d is not None and d <= day for d, _ in gst_rows):
        gst_rows = [(None, Decimal(settings.DEFAULT_GST_RATE)), *gst_rows]
    in_force = [r for r in gst_rows if r[0] is None or r[0] <= day][-1:]
    gst = [
        {"valid_from": d.isoformat() if d else None, "rate": f"{r:.4f}"}
        for d, r in in_force + [r for r in gst_rows if r[0] is not None and r[0] > day]
    ]

    for c in customers:
        c["latitude"] = None if c["latitude"] is None else f"{c['latitude']}"
        c["longitude"] = None if c["longitude"] is None else f"{c['longitude']}"
        c["prices"] = {str(t): _schedule(rows, day) for t, rows in own.get(c["id"], {}).items()}
    return {
        "date": day.isoformat(),
        "gst_rates": gst,
        "cylinder_types": types,
        "service_items": services,
        "customers": customers,
        "count": len(ids),
    }


def _parse_day(raw: str | None) -> date:
    if raw in (None, ""):
        return timezone.localdate()
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise ValidationFailed({"date": ["Use a date as YYYY-MM-DD."]}) from None


class CustomerPricesApi(APIView):
    """Every active customer the user may serve, with own prices (overrides
    of the list price) as dated schedules, the list prices, service items and
    the dated GST rates. ETag + ``If-None-Match`` -> 304, so the phone's daily
    refresh costs nothing when nothing changed."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[OpenApiParameter("date", str, description="YYYY-MM-DD (default: today, Singapore)")],
        responses={200: CustomerPricesOutput},
    )
    def get(self, request):
        # The selector's dict is the body as built (the ETag hashes it); its
        # shape is CustomerPricesOutput, held to it by the schema contract test.
        data = customer_prices(user=request.user, day=_parse_day(request.query_params.get("date")))
        etag = '"' + hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:32] + '"'
        headers = {"ETag": etag, "Cache-Control": "private, no-cache", "Vary": "Authorization"}
        if etag in [t.strip() for t in request.headers.get("If-None-Match", "").split(",")]:
            return Response(status=304, headers=headers)
        return Response(data, headers=headers)


class PayNowPayloadApi(APIView):
    """GET /api/paynow/payload/?amount=&reference=: the EMVCo string billing
    prints on invoices, for the company's PayNow UEN. The app computes the same
    string offline (frontend/src/features/delivery/paynow.ts; both are tested
    against frontend/src/features/delivery/__fixtures__/paynow-vectors.json)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[OpenApiParameter("amount", str), OpenApiParameter("reference", str)],
        responses={200: PayNowPayloadOutput},
    )
    def get(self, request):
        raw_amount = request.query_params.get("amount", "")
        reference = request.query_params.get("reference", "")
        errors = {}
        try:
            amount = Decimal(raw_amount)
            if not amount.is_finite() or amount <= 0 or amount >= Decimal("1000000") or amount != round(amount, 2):
                raise ValueError
        except (ArithmeticError, ValueError):
            errors["amount"] = ["A positive amount with at most two decimals."]
        if not reference or len(reference) > 25:
            errors["reference"] = ["1 to 25 characters."]
        if errors:
            raise ValidationFailed(errors)
        company = settings.COMPANY
        uen = company.get("paynow_uen") or company["uen"]
        payload = paynow_payload(uen=uen, amount=amount, reference=reference, merchant_name=company["name"])
        body = {"payload": payload, "uen": uen, "amount": amount, "reference": reference}
        return Response(PayNowPayloadOutput(body).data)
