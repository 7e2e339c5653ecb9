"""GET /api/customers/<id>/cylinders/: the cylinders a customer holds and the
deposits it has paid for them (billing's deposit ledger, the stock ledger's
balances). Scoped like the customers: a customer the user may not see is 404."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.billing.selectors import customer_cylinders
from apps.billing.serializers import CustomerCylindersOutput
from apps.customers.selectors import customer_list


class CustomerCylindersApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: CustomerCylindersOutput})
    def get(self, request, pk: int):
        customer = get_object_or_404(customer_list(user=request.user), pk=pk)
        return Response(CustomerCylindersOutput(customer_cylinders(customer=customer)).data)
