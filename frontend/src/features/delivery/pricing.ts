import { formatCents, GST_RATE_PERCENT, percentOf, toCents } from '../../lib/money';

export const PAYMENT_METHODS = ['CASH', 'PAYNOW', 'CHEQUE', 'BANK_TRANSFER', 'CREDIT'] as const;
export type PaymentMethod = (typeof PAYMENT_METHODS)[number];
export const PAYMENT_LABELS: Record<PaymentMethod, string> = {
  CASH: 'Cash',
  PAYNOW: 'PayNow',
  CHEQUE: 'Cheque',
  BANK_TRANSFER: 'Bank transfer',
  CREDIT: 'Credit (invoice)',
};

export interface DeliveryLine {
  cylinder_type: number;
  delivered_full: number;
  returned_empty: number;
}

export interface PricePreview {
  lines: { cylinder_type: number; quantity: number; unit: string; amount: string }[];
  subtotal: string;
  gst_rate: string;
  gst: string;
  total: string;
  delivered_full: number;
  returned_empty: number;
}

/**
 * Preview only: fulls delivered at the cylinder type's list price, GST 9%
 * on the subtotal, half-up to cents. The server's invoice is authoritative
 * (customer prices, the GST rate in force).
 */
export function pricePreview(lines: DeliveryLine[], listPrice: (cylinderType: number) => string | undefined, gstRate = GST_RATE_PERCENT): PricePreview {
  let subtotal = 0;
  const out: PricePreview['lines'] = [];
  for (const l of lines) {
    if (l.delivered_full <= 0) continue;
    const unit = toCents(listPrice(l.cylinder_type) ?? '0');
    const amount = unit * l.delivered_full;
    subtotal += amount;
    out.push({ cylinder_type: l.cylinder_type, quantity: l.delivered_full, unit: formatCents(unit), amount: formatCents(amount) });
  }
  const gst = percentOf(subtotal, gstRate);
  return {
    lines: out,
    subtotal: formatCents(subtotal),
    gst_rate: gstRate,
    gst: formatCents(gst),
    total: formatCents(subtotal + gst),
    delivered_full: lines.reduce((s, l) => s + l.delivered_full, 0),
    returned_empty: lines.reduce((s, l) => s + l.returned_empty, 0),
  };
}

/**
 * The body of POST /api/deliveries/ (and the payload of delivery.create).
 * `acknowledged_warnings` is present only when non-empty: the server's
 * idempotency fingerprint includes the field only when it is sent.
 */
export function deliveryPayload(args: {
  customer: number;
  vehicle: number;
  order: number | null;
  payment_method: PaymentMethod;
  lines: DeliveryLine[];
  acknowledged_warnings?: readonly string[];
}) {
  return {
    customer: args.customer,
    vehicle: args.vehicle,
    order: args.order,
    payment_method: args.payment_method,
    lines: args.lines
      .filter((l) => l.delivered_full > 0 || l.returned_empty > 0)
      .map((l) => ({ cylinder_type: l.cylinder_type, delivered_full: l.delivered_full, returned_empty: l.returned_empty })),
    ...(args.acknowledged_warnings?.length ? { acknowledged_warnings: [...args.acknowledged_warnings] } : {}),
  };
}
