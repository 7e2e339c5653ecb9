from rest_framework import serializers

from apps.customers.models import Customer


class CustomerSerializer(serializers.ModelSerializer):
    class Meta:
        model = Customer
        fields = [
            "id", "code", "name", "kind", "site_address", "postal_code", "email", "phone", "uen",
            "payment_terms", "credit_term_days", "latitude", "longitude", "is_active",
        ]  # fmt: skip
