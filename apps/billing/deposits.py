"""Cylinder deposits (services): what a delivery charges or refunds, kept in
the customer's deposit ledger (``DepositMove``, append-only) and its running
holding per cylinder type (``DepositHolding``, the lock). docs/billing.md,
"Cylinder deposits", states the rule; in short, after the delivery's moves:

- ``held``: the customer's cylinders of the type at its site (full + empty);
- ``covered``: the units its deposits cover (``DepositHolding.units``);
- charge when ``held > covered`` and ``held > held_before`` (it got more than
  it gave back): ``held - max(covered, held_before)`` units at the deposit
  rate of the supply day (a type with no rate in force charges nothing), so
  cylinders held before deposits existed are never charged retroactively;
- refund when ``held < covered``: ``covered - held`` units, newest charge
  first (LIFO: at the unit amount of the latest invoice line that charged
  units still covered), through a credit note against that invoice (no GST
  on it); never more than is covered.

Lock order (apps/core/locks.py): ``deposit_plan`` runs before the delivery's
``stock_post`` and locks the customer's holding rows and the invoices a
refund will credit (entity rows); the balances come after, the credit note's
number last."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.db.models import Sum

from apps.accounts.models import User
from apps.billing.enums import InvoiceLineKind
from apps.billing.models import CreditNote, DepositHolding, DepositMove, Invoice, InvoiceLine
from apps.billing.pricing import deposit_rates_on
from apps.billing.services import LineDraft, credit_note_lines_issue
from apps.core.locks import lock_entities
from apps.customers.models import Customer
from apps.depots.models import CylinderType
from apps.inventory.models import StockBalance


@dataclass
class DepositChange:
    """One cylinder type of one delivery."""

    cylinder_type: CylinderType
    held_before: int
    held: int
    covered: int
    rate: Decimal | None
    charge: int = 0
    # refund lots, newest first: (the DEPOSIT invoice line that charged them, units)
    refunds: list[tuple[InvoiceLine, int]] = field(default_factory=list)


@dataclass
class DepositPlan:
    """What a delivery does to the customer's deposits, decided (and locked)
    before its moves are posted; ``lines`` go on its invoice, ``record``
    writes the ledger and the refund credit notes once the invoice exists."""

    customer: Customer
    changes: list[DepositChange] = field(default_factory=list)
    holdings: dict[int, DepositHolding] = field(default_factory=dict)

    @property
    def lines(self) -> list[LineDraft]:
        """The invoice's DEPOSIT lines (not subject to GST)."""
        return [
            LineDraft(
                kind=InvoiceLineKind.DEPOSIT,
                description=f"Cylinder deposit {c.cylinder_type.name}",
                quantity=Decimal(c.charge),
                unit_price=c.rate,
                cylinder_type=c.cylinder_type,
            )
            for c in self.changes
            if c.charge and c.rate is not None
        ]

    def record(
        self, *, actor: User, invoice: Invoice | None, delivery_id: int, occurred_at: datetime
    ) -> CreditNote | None:
        """Inside the delivery's transaction, after its invoice: the ledger
        rows, the holdings, and one credit note per invoice refunded (the
        first is returned: the delivery's ``deposit_credit_note``)."""
        moves: list[DepositMove] = []
        charged = [c for c in self.changes if c.charge]
        if charged:
            if invoice is None:  # pragma: no cover - a charge always comes with the delivery's invoice
                raise RuntimeError("A deposit charge needs the delivery's invoice.")
            by_type = {line.cylinder_type_id: line for line in invoice.lines.filter(kind=InvoiceLineKind.DEPOSIT)}
            for c in charged:
                line = by_type[c.cylinder_type.pk]
                moves.append(
                    self._move(c.cylinder_type.pk, c.charge, line.amount, line, None, delivery_id, occurred_at)
                )
        lots: dict[int, list[tuple[InvoiceLine, int]]] = defaultdict(list)
        for c in self.changes:
            for line, units in c.refunds:
                lots[line.invoice_id].append((line, units))
        first: CreditNote | None = None
        for invoice_id in sorted(lots):
            refund_lines = lots[invoice_id]
            note = credit_note_lines_issue(
                actor=actor,
                invoice=refund_lines[0][0].invoice,  # locked by deposit_plan
                reason=f"Cylinder deposit refund: cylinders returned (delivery {delivery_id}).",
                lines=[{"invoice_line": line, "quantity": Decimal(units)} for line, units in refund_lines],
                refund_beyond_due=True,
            )
            first = first or note
            notes = {n.invoice_line_id: n for n in note.lines.all()}
            for line, units in refund_lines:
                cn_line = notes[line.pk]
                moves.append(
                    self._move(line.cylinder_type_id, -units, -cn_line.amount, line, cn_line, delivery_id, occurred_at)
                )
        if not moves:
            return None
        DepositMove.objects.bulk_create(moves)
        changed = []
        for move in moves:
            holding = self.holdings[move.cylinder_type_id]
            holding.units += move.units
            holding.amount += move.amount
            changed.append(holding)
        DepositHolding.objects.bulk_update(list({h.pk: h for h in changed}.values()), ["units", "amount"])
        return first

    def _move(self, type_id, units, amount, line, cn_line, delivery_id, occurred_at) -> DepositMove:
        return DepositMove(
            customer=self.customer,
            cylinder_type_id=type_id,
            units=units,
            amount=amount,
            invoice_line=line,
            credit_note_line=cn_line,
            delivery_id=delivery_id,
            occurred_at=occurred_at,
        )

    def audit(self) -> list[dict]:
        return [
            {"cylinder_type": c.cylinder_type.pk, "charged": c.charge, "refunded": sum(u for _, u in c.refunds)}
            for c in self.changes
            if c.charge or c.refunds
        ]


def _holdings_lock(customer: Customer, type_ids: list[int]) -> dict[int, DepositHolding]:
    rows = lock_entities(
        DepositHolding.objects.filter(customer=customer, cylinder_type_id__in=type_ids), "cylinder_type_id"
    )
    return {h.cylinder_type_id: h for h in rows}


def deposit_plan(*, customer: Customer, lines: Iterable[tuple[CylinderType, int, int]], day: date) -> DepositPlan:
    """Decide a delivery's deposits from ``lines`` (cylinder type, fulls
    delivered, empties picked up) before its moves are posted: locks the
    customer's holding rows of those types and the invoices a refund will
    credit. Types with no deposit rate and nothing covered are left alone
    (no lock, no row). A fixed number of queries, whatever the lines."""
    net = {ct.pk: (ct, full, empty) for ct, full, empty in lines if full or empty}
    plan = DepositPlan(customer=customer)
    if not net:
        return plan
    rates = deposit_rates_on(net, day)
    holdings = _holdings_lock(customer, sorted(net))
    relevant = sorted(t for t in net if t in rates or (t in holdings and holdings[t].units > 0))
    if not relevant:
        return plan
    missing = [t for t in relevant if t not in holdings]
    if missing:  # first deposit of the type: the holding row, then its lock
        DepositHolding.objects.bulk_create(
            [DepositHolding(customer=customer, cylinder_type_id=t) for t in missing], ignore_conflicts=True
        )
        holdings = _holdings_lock(customer, relevant)
    plan.holdings = holdings
    # Read after the holdings' lock: deliveries of the type to the customer wait on it (READ COMMITTED).
    before = {
        t: full + empty
        for t, full, empty in StockBalance.objects.filter(
            location__customer=customer, cylinder_type_id__in=relevant
        ).values_list("cylinder_type_id", "full_qty", "empty_qty")
    }
    refund_types = []
    for t in relevant:
        ct, full, empty = net[t]
        held_before = before.get(t, 0)
        change = DepositChange(ct, held_before, held_before + full - empty, holdings[t].units, rates.get(t))
        if change.rate is not None and change.held > change.covered and change.held > change.held_before:
            change.charge = change.held - max(change.covered, change.held_before)
        elif change.held < change.covered:
            refund_types.append(change)
        plan.changes.append(change)
    if refund_types:
        _refund_lots(customer, refund_types)
        invoice_ids = {line.invoice_id for c in refund_types for line, _ in c.refunds}
        locked = {i.pk: i for i in lock_entities(Invoice.objects.filter(pk__in=invoice_ids))}
        for c in refund_types:
            for line, _ in c.refunds:
                line.invoice = locked[line.invoice_id]
    return plan


def _refund_lots(customer: Customer, changes: list[DepositChange]) -> None:
    """Newest charge first: the units of each DEPOSIT invoice line still
    covered (charged minus refunded against it), until ``covered - held``
    units are found (never more than covered: held below zero is refused by
    the posting anyway)."""
    wanted = {c.cylinder_type.pk: c for c in changes}
    left = (
        DepositMove.objects.filter(customer=customer, cylinder_type_id__in=list(wanted))
        .values("invoice_line")
        .annotate(units=Sum("units"))
        .filter(units__gt=0)
        .order_by("-invoice_line")
        .values_list("invoice_line", "units")
    )
    lots = list(left)
    lines = {line.pk: line for line in InvoiceLine.objects.filter(pk__in=[pk for pk, _ in lots])}
    need = {t: min(c.covered, c.covered - c.held) for t, c in wanted.items()}
    for pk, units in lots:
        line = lines[pk]
        t = line.cylinder_type_id
        if t is None or need.get(t, 0) <= 0:
            continue
        take = min(units, need[t])
        wanted[t].refunds.append((line, take))
        need[t] -= take
