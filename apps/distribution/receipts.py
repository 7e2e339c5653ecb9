"""The distribution receipt as ESC/POS bytes (python-escpos), the same content
the phone prints: header, number, time, driver, vehicle, lines, totals, QR."""

from django.conf import settings
from django.utils import timezone
from escpos.printer import Dummy

from apps.core.escpos import row, rule
from apps.distribution.models import DistributionHeader


def distribution_receipt_bytes(header: DistributionHeader) -> bytes:
    printer = Dummy()
    company = settings.COMPANY
    printer.set(align="center", bold=True, double_height=True)
    printer.text(f"{company['name']}\n")
    printer.set(align="center", bold=False, normal_textsize=True)
    printer.text(f"{company['address']}\nGST Reg No: {company['gst_reg_no']}\n")
    printer.text(rule())
    printer.set(align="center", bold=True)
    printer.text("DISTRIBUTION RECEIPT\n")
    printer.text(f"{header.number}\n")
    printer.set(align="left", bold=False)
    when = timezone.localtime(header.occurred_at)
    printer.text(row("Date", when.strftime("%d/%m/%Y %H:%M")))
    driver = header.driver.name if header.driver else "-"
    printer.text(row("Driver", driver))
    printer.text(row("Vehicle", header.vehicle.plate_number))
    printer.text(rule())
    for item in header.items.select_related("cylinder_type", "depot"):
        printer.text(f"{item.get_movement_type_display().split(' (')[0]}\n")
        printer.text(row(f"  {item.cylinder_type.name} @{item.depot.code}", str(item.quantity)))
    printer.text(rule())
    printer.set(bold=True)
    printer.text(row("Total collected (full)", str(header.total_collection)))
    printer.text(row("Total returned", str(header.total_return)))
    printer.set(bold=False, align="center")
    printer.qr(header.number or str(header.pk), native=True, size=6)
    printer.text("\n\nReceived by: ________________\n\n")
    printer.cut()
    return printer.output
