import { applyRate, formatCents, ratePercentLabel, toCents } from '../../lib/money';
import { effectivePrice, gstRateOn, type PriceBook } from '../master-data/api/get-customer-prices';
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
}

/**
 * The invoice the server will issue, computed the server's way
 * (apps/billing/pricing.py): each line = quantity x the customer's price in
 * force on the delivery's Singapore date (else the list price), half-up to
 * the cent; GST once on the subtotal at that date's rate, half-up.
 */
export function pricePreview(lines: DeliveryLine[], book: PriceBook | undefined, customerId: number | undefined, day: string): PricePreview {
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
  return {
    lines: out,
    subtotal: formatCents(subtotal),
    gst_rate: ratePercentLabel(rate),
    gst: formatCents(gst),
    total: formatCents(subtotal + gst),
    delivered_full: lines.reduce((s, l) => s + l.delivered_full, 0),
    returned_empty: lines.reduce((s, l) => s + l.returned_empty, 0),
    missing,
    day,
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
