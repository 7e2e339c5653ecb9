"""Finance's block of the office home (apps.core.admin_home): overdue
invoices and today's payments, read-only, with links to the back office."""

from datetime import date
from decimal import Decimal

from django.db.models import Count, Sum
from django.urls import reverse

from apps.billing.models import Invoice
from apps.finance import selectors


def finance_home(request, day: date) -> dict | None:
    if not selectors.can_read_finance(request.user):
        return None
    overdue = Invoice.objects.filter(selectors.overdue_q(day))
    payments = selectors.payments_in_period(date_from=day, date_to=day)
    paid = payments.aggregate(n=Count("id"), total=Sum("amount"))
    return {
        "template": "admin/home/finance.html",
        "day": day,
        "overdue_count": overdue.count(),
        "overdue": overdue.order_by("due_date", "id")[:8],
        "payments_count": paid["n"],
        "payments_total": (paid["total"] or Decimal("0")).quantize(Decimal("0.01")),
        "payments": payments.select_related("invoice").order_by("-received_at", "-id")[:8],
        "ageing_url": f"{reverse('admin:finance_ageing')}?as_of={day.isoformat()}",
        "invoices_url": reverse("admin:billing_invoice_changelist"),
        "payments_url": reverse("admin:billing_payment_changelist"),
    }
