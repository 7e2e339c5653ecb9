import { formatCents, percentOf, toCents } from '../lib/money';

// The order screen's rules, the server's (apps/portal/services.py) checked on
// the phone first so the contact sees why before sending; the server decides.

export const HOUSEHOLD_FROM = '07:00';
export const HOUSEHOLD_UNTIL = '21:00';
export const DAYS_AHEAD = 30; // CUSTOMER_ORDER_DAYS_AHEAD
export const MAX_QUANTITY = 50;
export const MAX_LINES = 10;

export type CustomerKind = 'HOUSEHOLD' | 'COMMERCIAL';

export interface Window {
  id: string;
  label: string;
  start: string | null;
  end: string | null;
}

/** The windows offered; "Any time" leaves the choice to dispatch. */
export const WINDOWS: Window[] = [
  { id: 'any', label: 'Any time', start: null, end: null },
  { id: 'morning', label: '07:00–10:00', start: '07:00', end: '10:00' },
  { id: 'late-morning', label: '10:00–13:00', start: '10:00', end: '13:00' },
  { id: 'afternoon', label: '13:00–17:00', start: '13:00', end: '17:00' },
  { id: 'evening', label: '17:00–21:00', start: '17:00', end: '21:00' },
];

const SG = 'Asia/Singapore';

/** The Singapore date of an instant, YYYY-MM-DD (the server's day). */
export function singaporeDate(now: Date): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: SG, year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
}

/** The Singapore time of an instant, HH:MM. */
export function singaporeTime(now: Date): string {
  const t = new Intl.DateTimeFormat('en-GB', { timeZone: SG, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(now);
  return t;
}

export function addDays(isoDate: string, days: number): string {
  const d = new Date(`${isoDate}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** Why this day cannot be ordered for, or undefined. */
export function dayProblem(day: string, now: Date): string | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return 'Choose a day.';
  const today = singaporeDate(now);
  if (day < today) return 'The day is in the past.';
  if (day > addDays(today, DAYS_AHEAD)) return `Order at most ${DAYS_AHEAD} days ahead.`;
  return undefined;
}

/** Why this window cannot be chosen for the day, or undefined. */
export function windowProblem(args: { kind: CustomerKind; day: string; start: string | null; end: string | null; now: Date }): string | undefined {
  const { kind, day, start, end, now } = args;
  if (start && end && end <= start) return 'The window must close after it opens.';
  if (kind === 'HOUSEHOLD' && ((start && start < HOUSEHOLD_FROM) || (end && end > HOUSEHOLD_UNTIL))) {
    return `Households take deliveries between ${HOUSEHOLD_FROM} and ${HOUSEHOLD_UNTIL}.`;
  }
  if (end && day === singaporeDate(now) && end <= singaporeTime(now)) return 'This window has already passed today.';
  return undefined;
}

/** The lines to send: the types with a quantity, in the order shown. */
export function orderLines(quantities: Record<number, number>, typeOrder: number[]): { cylinder_type: number; quantity: number }[] {
  return typeOrder.filter((t) => (quantities[t] ?? 0) > 0).map((t) => ({ cylinder_type: t, quantity: quantities[t] }));
}

export function linesProblem(lines: { quantity: number }[]): string | undefined {
  if (!lines.length) return 'Choose at least one cylinder.';
  if (lines.length > MAX_LINES) return `At most ${MAX_LINES} cylinder types in one order.`;
  if (lines.some((l) => !Number.isInteger(l.quantity) || l.quantity < 1 || l.quantity > MAX_QUANTITY)) return `From 1 to ${MAX_QUANTITY} of each type.`;
  return undefined;
}

/** A price before GST with GST at `gstPercent` ("9"), half-up to the cent: what the contact pays per cylinder. */
export function withGst(amount: string, gstPercent: string): string {
  const cents = toCents(amount);
  return formatCents(cents + percentOf(cents, gstPercent));
}

export interface QuoteTotals {
  subtotal: string;
  gst_amount: string;
  deposit_total: string;
  total: string;
}

/** The gas part of a quote with its GST (the deposits carry none), in exact cents. */
export function gasWithGst(q: QuoteTotals): string {
  return formatCents(toCents(q.subtotal) + toCents(q.gst_amount));
}
