"""GET /api/company/: the supplier every tax invoice and receipt prints
(IRAS: name, address, GST registration number), from settings.COMPANY
(COMPANY_* environment variables). The driver's app caches it for offline
receipts; nothing about the company is built into the app."""

from django.conf import settings
from drf_spectacular.utils import extend_schema
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

FIELDS = ("name", "address", "uen", "gst_reg_no", "phone", "email")


class CompanyApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: dict})
    def get(self, request):
        company = settings.COMPANY
        data = {f: company.get(f, "") or "" for f in FIELDS}
        data["paynow_uen"] = company.get("paynow_uen") or company.get("uen", "")
        return Response(data, headers={"Cache-Control": "private, no-cache"})
