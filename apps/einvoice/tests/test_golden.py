"""Golden files: a handful of documents whose XML was reviewed by hand
(docs/einvoice/*.xml). Any change to the mapping shows up here as a diff;
UPDATE_GOLDEN=1 writes the files again (review the diff before committing)."""

import os
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from apps.billing.tests.helpers import on_server_date
from apps.core.tests.factories import CustomerFactory
from apps.einvoice.services import expected_of
from apps.einvoice.tests.helpers import CYL, DEP, MTR, SVC, credit_full, credit_lines, issue
from apps.einvoice.ubl import document_xml
from apps.einvoice.validation import validate

GOLDEN = Path(__file__).resolve().parents[3] / "docs" / "einvoice"
pytestmark = pytest.mark.django_db


def _compare(name: str, document) -> None:
    xml = document_xml(document)
    assert validate(xml, expected_of(document)).ok
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN") == "1" or not path.exists():
        path.write_bytes(xml)
    assert xml == path.read_bytes(), f"{name} differs from the reviewed golden file"


def test_golden_documents(world, monkeypatch, settings):
    settings.COMPANY = {**settings.COMPANY, "name": "Lion City Gas Distribution Pte. Ltd.",
                        "address": "21 Tuas South Avenue 6, Singapore 637019", "uen": "201912345K",
                        "gst_reg_no": "201912345K", "phone": "+65 6861 2000",
                        "email": "accounts@lioncitygas.example", "peppol_id": ""}  # fmt: skip
    restaurant = CustomerFactory(code="GOLD-R1", name="Golden Wok Restaurant Pte. Ltd.", uen="201533333R",
                                 site_address="8 Jurong West Street 81 #01-12", postal_code="649084",
                                 peppol_id="0195:SGUEN201533333R")  # fmt: skip
    canteen = CustomerFactory(code="GOLD-C1", name="Tuas Canteen Services LLP", uen="T15LL0001A",
                              site_address="30 Tuas Avenue 2", postal_code="639461", peppol_id="")  # fmt: skip
    on_server_date(monkeypatch, date(2026, 3, 9))
    first = issue(world, [(CYL, "LPG 12.7 kg refill", "3", "24.99"), (CYL, "LPG 14 kg refill (contract)", "2", "26.00"),
                          (SVC, "Delivery fee", "1", "5.00"), (DEP, "Cylinder deposit 12.7 kg", "2", "45.35")],
                  customer=restaurant, day=date(2026, 3, 2))  # fmt: skip
    meter = issue(world, [(MTR, "LPG by meter M-0042: 1200.000 to 1323.456 kg", "123.456", "2.3456")],
                  customer=canteen, day=date(2026, 3, 3))  # fmt: skip
    _compare("invoice-cylinders-service-deposit.xml", first)
    _compare("invoice-metered-gas.xml", meter)
    _compare("credit-note-partial.xml", credit_lines(world, first, {1: Decimal(1)}))
    _compare("credit-note-deposit-refund.xml", credit_lines(world, first, {4: Decimal(2)}))
    _compare("credit-note-full.xml", credit_full(world, meter))
