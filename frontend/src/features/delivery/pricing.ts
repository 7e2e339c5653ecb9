import { applyRate, formatCents, ratePercentLabel, toCents } from '../../lib/money';
import { effectivePrice, gstRateOn, pickDated, type PriceBook } from '../master-data/api/get-customer-prices';
import type { DeliveryPayload, PaymentMethod, ProofInput } from '../../api/types';
import { serialsField } from '../../lib/serials';

export type { PaymentMethod } from '../../api/types';
type Warning = NonNullable<DeliveryPayload['acknowledged_warnings']>[number];

export const PAYMENT_METHODS = ['CASH', 'PAYNOW', 'CHEQUE', 'BANK_TRANSFER', 'CREDIT'] as const satisfies readonly PaymentMethod[];
export const PAYMENT_LABELS: Record<PaymentMethod, string> = {
  CASH: 'Cash',
  PAYNOW: 'PayNow',
  CHEQUE: 'Cheque',
  BANK_TRANSFER: 'Bank transfer',
  CREDIT: 'Credit (invoice)',
};

/** What the customer may use at the door: CREDIT only with credit terms (the server answers 422 credit_not_allowed otherwise). */
export function paymentChoices(paymentTerms: string | null | undefined): PaymentMethod[] {
  return PAYMENT_METHODS.filter((m) => m !== 'CREDIT' || paymentTerms === 'CREDIT');
}

export interface DeliveryLine {
  cylinder_type: number;
  delivered_full: number;
  returned_empty: number;
  delivered_serials?: string[];
  returned_serials?: string[];
}

export interface PricePreview {
  lines: { cylinder_type: number; quantity: number; unit: string; amount: string; contract: boolean }[];
  subtotal: string;
  gst_rate: string; // percent, as the invoice prints it ("9")
  gst: string;
  total: string;
  delivered_full: number;
  returned_empty: number;
  /** cylinder types delivered with no price on the phone: the quote is incomplete */
  missing: number[];
  day: string;
  /** cylinder deposits charged (not subject to GST, added after it) */
  deposits: DepositQuote;
}

/** What the customer holds of a type before the delivery: cylinders at the site and the units its deposits cover. */
export interface DepositHolding {
  held: number;
  deposit_units: number;
}

export interface DepositQuote {
  lines: { cylinder_type: number; units: number; unit: string; amount: string }[];
  total: string;
  /** cylinders returned beyond what the deposits still cover: refunded by credit note (not on this invoice) */
  refunds: { cylinder_type: number; units: number }[];
  /** false: the customer's holding was not known on the phone; the charge assumes its deposits cover no more than it holds */
  known: boolean;
}

/**
 * The server's deposit rule (apps/billing/deposits.py), per cylinder type:
 * held after = held before + fulls delivered - empties picked up; charge
 * when held after > covered and > held before: held after - max(covered,
 * held before) units at the deposit in force that day (none in force: no
 * charge); refund (credit note) when held after < covered.
 */
export function depositQuote(lines: DeliveryLine[], book: PriceBook | undefined, holdings: Map<number, DepositHolding> | undefined, day: string): DepositQuote {
  const out: DepositQuote = { lines: [], total: '0.00', refunds: [], known: holdings !== undefined };
  let total = 0;
  for (const l of lines) {
    const before = holdings ? (holdings.get(l.cylinder_type) ?? { held: 0, deposit_units: 0 }) : undefined;
    const heldBefore = before?.held ?? 0;
    // unknown holding: assume the deposits cover no more than the customer holds (a net increase is charged)
    const covered = before ? before.deposit_units : heldBefore;
    const held = heldBefore + l.delivered_full - l.returned_empty;
    if (held < covered) out.refunds.push({ cylinder_type: l.cylinder_type, units: covered - Math.max(held, 0) });
    if (!(held > covered && held > heldBefore)) continue;
    const rate = pickDated(book?.cylinder_types.find((t) => t.id === l.cylinder_type)?.deposits, day);
    if (!rate) continue;
    const units = held - Math.max(covered, heldBefore);
    const unit = toCents(rate.price);
    total += unit * units;
    out.lines.push({ cylinder_type: l.cylinder_type, units, unit: formatCents(unit), amount: formatCents(unit * units) });
  }
  out.total = formatCents(total);
  return out;
}

/**
 * The invoice the server will issue, computed the server's way
 * (apps/billing/pricing.py): each line = quantity x the customer's price in
 * force on the delivery's Singapore date (else the list price), half-up to
 * the cent; GST once on the subtotal at that date's rate, half-up.
 */
export function pricePreview(lines: DeliveryLine[], book: PriceBook | undefined, customerId: number | undefined, day: string, holdings?: Map<number, DepositHolding>): PricePreview {
  let subtotal = 0;
  const out: PricePreview['lines'] = [];
  const missing: number[] = [];
  for (const l of lines) {
    if (l.delivered_full <= 0) continue;
    const p = book && customerId !== undefined ? effectivePrice(book, customerId, l.cylinder_type, day) : undefined;
    if (!p) {
      missing.push(l.cylinder_type);
      continue;
    }
    const unit = toCents(p.price);
    const amount = unit * l.delivered_full;
    subtotal += amount;
    out.push({ cylinder_type: l.cylinder_type, quantity: l.delivered_full, unit: formatCents(unit), amount: formatCents(amount), contract: p.contract });
  }
  const rate = (book && gstRateOn(book, day)) ?? '0.09';
  const gst = applyRate(subtotal, rate);
  const deposits = depositQuote(lines, book, holdings, day);
  return {
    lines: out,
    subtotal: formatCents(subtotal),
    gst_rate: ratePercentLabel(rate),
    gst: formatCents(gst),
    total: formatCents(subtotal + gst + toCents(deposits.total)),
    delivered_full: lines.reduce((s, l) => s + l.delivered_full, 0),
    returned_empty: lines.reduce((s, l) => s + l.returned_empty, 0),
    missing,
    day,
    deposits,
  };
}

/** Change for cash tendered (cents), or undefined when short / not given. */
export function changeDue(totalCents: number, tendered: string): number | undefined {
  if (!/^\d+(\.\d{1,2})?$/.test(tendered.trim())) return undefined;
  const t = toCents(tendered);
  return t >= totalCents ? t - totalCents : undefined;
}

/**
 * The body of POST /api/deliveries/ (and the payload of delivery.create).
 * Optional fields are present only when set: the server's idempotency
 * fingerprint includes a field only when it is sent.
 * `amount_tendered` (CASH) and `payment_reference` (PAYNOW) follow the
 * door-payment contract agreed with billing.
 */
export function deliveryPayload(args: {
  customer: number;
  vehicle: number;
  order: number | null;
  payment_method: PaymentMethod;
  lines: DeliveryLine[];
  acknowledged_warnings?: readonly Warning[];
  amount_tendered?: string;
  payment_reference?: string;
  proof?: ProofInput;
}): DeliveryPayload {
  return {
    customer: args.customer,
    vehicle: args.vehicle,
    order: args.order,
    payment_method: args.payment_method,
    lines: args.lines
      .filter((l) => l.delivered_full > 0 || l.returned_empty > 0)
      .map((l) => ({
        cylinder_type: l.cylinder_type,
        delivered_full: l.delivered_full,
        returned_empty: l.returned_empty,
        // serials only when entered: a line without them is sent as before
        ...serialsField('delivered_serials', l.delivered_full > 0 ? l.delivered_serials : undefined),
        ...serialsField('returned_serials', l.returned_empty > 0 ? l.returned_serials : undefined),
      })),
    ...(args.acknowledged_warnings?.length ? { acknowledged_warnings: [...args.acknowledged_warnings] } : {}),
    ...(args.payment_method === 'CASH' && args.amount_tendered ? { amount_tendered: formatCents(toCents(args.amount_tendered)) } : {}),
    ...(args.payment_method === 'PAYNOW' && args.payment_reference?.trim() ? { payment_reference: args.payment_reference.trim() } : {}),
    ...(args.proof ? { proof: args.proof } : {}),
  };
}
