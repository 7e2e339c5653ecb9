"""GET /api/company/: the supplier every tax invoice and receipt prints
(IRAS: name, address, GST registration number), from settings.COMPANY
(COMPANY_* environment variables). The driver's app caches it for offline
receipts; nothing about the company is built into the app."""

from django.conf import settings
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

FIELDS = ("name", "address", "uen", "gst_reg_no", "phone", "email")


class CompanyOutput(serializers.Serializer):
    name = serializers.CharField(allow_blank=True)
    address = serializers.CharField(allow_blank=True)
    uen = serializers.CharField(allow_blank=True)
    gst_reg_no = serializers.CharField(allow_blank=True, help_text="GST registration number.")
    phone = serializers.CharField(allow_blank=True)
    email = serializers.CharField(allow_blank=True)
    paynow_uen = serializers.CharField(allow_blank=True, help_text="The UEN PayNow QR codes pay to (default: uen).")


class CompanyApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: CompanyOutput})
    def get(self, request):
        company = settings.COMPANY
        data = {f: company.get(f, "") or "" for f in FIELDS}
        data["paynow_uen"] = company.get("paynow_uen") or company.get("uen", "")
        return Response(CompanyOutput(data).data, headers={"Cache-Control": "private, no-cache"})
