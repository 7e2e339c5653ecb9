"""The driver's day-end summary as ESC/POS bytes (python-escpos), printed on
the same 58 mm printer as the handover receipts."""

from django.conf import settings
from django.utils import timezone
from escpos.printer import Dummy

from apps.core.escpos import row, rule


def day_summary_receipt_bytes(summary: dict) -> bytes:
    printer = Dummy()
    company = settings.COMPANY
    printer.set(align="center", bold=True, double_height=True)
    printer.text(f"{company['name']}\n")
    printer.set(align="center", bold=True, normal_textsize=True)
    printer.text("DAY-END SUMMARY\n")
    printer.set(align="left", bold=False)
    printer.text(row("Date", summary["date"].strftime("%d/%m/%Y")))
    printer.text(row("Driver", summary["driver"]["name"]))
    vehicle = summary["vehicle"]["plate_number"] if summary["vehicle"] else "-"
    printer.text(row("Vehicle", vehicle))
    printer.text(rule())
    for label, key in (
        ("Loaded (full)", "loaded"),
        ("Delivered (full)", "delivered"),
        ("Collected from customers", "collected"),
        ("Returned to depot", "returned"),
    ):
        printer.text(row(label, str(summary[key])))
    printer.text(rule())
    if summary["count"] is None:
        printer.text("Truck not counted yet\n")
    elif not summary["variance"]:
        printer.text("Count matches the ledger\n")
    else:
        printer.text(f"Variance ({summary['count']['status'].lower()})\n")
        for line in summary["variance"]:
            sign = "+" if line["variance"] > 0 else ""
            printer.text(row(f"  {line['cylinder_type_name']} {line['state'].lower()}", f"{sign}{line['variance']}"))
    printer.text(rule())
    printer.set(bold=True)
    printer.text(row("Cash collected SGD", summary["cash_collected"]))
    printer.text(row("PayNow collected SGD", summary.get("paynow_collected", "0.00")))
    printer.set(bold=False)
    printer.text(row("Printed", timezone.localtime().strftime("%d/%m/%Y %H:%M")))
    printer.text("\n\nDriver: ________________\n\nSupervisor: ____________\n\n")
    printer.cut()
    return printer.output
