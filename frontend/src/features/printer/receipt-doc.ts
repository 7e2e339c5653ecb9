import type { OutboxEvent, ReceiptContext } from '../../lib/db';
import type { Invoice, InvoiceSummary } from '../../api/types';
import type { Company } from '../company/api/get-company';

// What a receipt says, independent of the printer language.
// - Until the server has applied the event there is no document number: the
//   receipt says "PROVISIONAL - NOT A TAX INVOICE" and carries the event
//   reference; its figures are the phone's quote (the server's pricing rule).
// - Once applied, a delivery's receipt is the tax invoice: the supplier's name,
//   address and GST reg. no. (GET /api/company/), the invoice number and date,
//   the customer, and the server's own lines, GST and total.

export type { Company };

export interface ReceiptDoc {
  kind: 'distribution' | 'delivery' | 'test';
  company?: Company;
  number?: string; // DIST-... / INV-... once applied
  reference: string; // event id
  provisional: boolean;
  occurred_at: string; // ISO
  invoice_date?: string; // YYYY-MM-DD, the tax invoice's issue date
  context: ReceiptContext;
  status_note?: string;
}

export const PROVISIONAL_TITLE = 'PROVISIONAL - NOT A TAX INVOICE';

const pad2 = (n: number) => String(n).padStart(2, '0');

/** Singapore time (UTC+8, no DST), fixed format so receipts and tests agree. */
export function formatSgTime(iso: string): string {
  const d = new Date(new Date(iso).getTime() + 8 * 3600 * 1000);
  return `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())} ${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())} SGT`;
}

export function documentNumber(event: OutboxEvent): string | undefined {
  if (event.type === 'delivery.create') return event.result?.invoice?.number;
  return event.result?.number ?? undefined;
}

/** "21.5000" -> "21.50", "7.000" -> "7", "0.125" stays. */
export function trimDecimal(v: unknown, minDecimals = 0): string {
  const s = String(v ?? '');
  const m = /^(-?\d+)(?:\.(\d*?))0*$/.exec(s);
  if (!m) return s;
  const frac = (m[2] ?? '').padEnd(minDecimals, '0');
  return frac ? `${m[1]}.${frac}` : m[1];
}

/** The summary in a delivery's result, completed by the invoice's detail once fetched. */
type ServerInvoice = InvoiceSummary & Partial<Invoice>;
const s = (v: unknown) => (v == null ? undefined : String(v));

/** The server's invoice for an applied delivery: the detail when fetched, else the summary in the sync result. */
export function serverInvoice(event: OutboxEvent): ServerInvoice | undefined {
  if (event.type !== 'delivery.create') return undefined;
  const summary = event.result?.invoice ?? undefined;
  if (!summary) return event.invoice;
  return event.invoice ? { ...summary, ...event.invoice } : summary;
}

/** The receipt context of an applied delivery: the server's lines and totals replace the quote. */
export function appliedDeliveryContext(event: OutboxEvent): ReceiptContext {
  const inv = serverInvoice(event);
  const ctx = event.summary;
  if (!inv) return ctx;
  const changeDue = event.type === 'delivery.create' ? event.result?.change_due : undefined;
  const asLine = (l: NonNullable<ServerInvoice['lines']>[number]) => ({ label: l.description, detail: `${trimDecimal(l.quantity)} x ${trimDecimal(l.unit_price, 2)}`, amount: s(l.amount) });
  // cylinder deposits (kind DEPOSIT) are not subject to GST: printed apart from the GST base
  const isDeposit = (l: object) => (l as { kind?: unknown }).kind === 'DEPOSIT';
  const lines = inv.lines ? inv.lines.filter((l) => !isDeposit(l)).map(asLine) : ctx.lines;
  const deposits = inv.lines ? inv.lines.filter(isDeposit).map(asLine) : [];
  const depositTotal = s((inv as { deposit_total?: unknown }).deposit_total);
  const showDeposits = deposits.length > 0 || (depositTotal !== undefined && Number(depositTotal) !== 0);
  const counts = ctx.totals.filter((t) => !/subtotal|gst|total|tendered|change|paid/i.test(t.label));
  const totals = [
    ...counts,
    { label: 'Subtotal', value: s(inv.subtotal) },
    { label: `GST ${trimDecimal(inv.gst_rate)}%`, value: s(inv.gst_amount) },
    ...(showDeposits ? [{ label: 'Deposits (no GST)', value: depositTotal ?? '0.00' }] : []),
    { label: 'TOTAL SGD', value: s(inv.total) },
    ...(inv.status === 'PAID' && inv.amount_paid != null ? [{ label: 'Paid', value: s(inv.amount_paid) }] : []),
    ...(changeDue != null && changeDue !== '0.00' ? [{ label: 'Change', value: changeDue }] : []),
  ].filter((t): t is { label: string; value: string } => t.value !== undefined);
  return {
    ...ctx,
    customer: s(inv.customer_name) ?? ctx.customer,
    customer_address: inv.customer_address ? [inv.customer_address, inv.customer_postal_code && `S(${inv.customer_postal_code})`].filter(Boolean).join(' ') : ctx.customer_address,
    lines,
    totals,
    ...(showDeposits ? { deposits } : {}),
    ...(event.type === 'delivery.create' && event.result?.deposit_credit_note
      ? { deposit_refund: { number: event.result.deposit_credit_note.number, total: event.result.deposit_credit_note.total } }
      : {}),
  };
}

/** The recipient's name given at the door, from the delivery's own payload (known offline too). */
export function receivedBy(event: OutboxEvent): string | undefined {
  if (event.type !== 'delivery.create') return undefined;
  const name = event.payload.proof?.recipient_name?.trim();
  return name || event.summary.received_by || undefined;
}

export function receiptFromEvent(event: OutboxEvent, company: Company | undefined): ReceiptDoc {
  const applied = event.status === 'applied' || event.status === 'duplicate';
  const number = applied ? documentNumber(event) : undefined;
  const base = event.type === 'delivery.create' && applied ? appliedDeliveryContext(event) : event.summary;
  const recipient = receivedBy(event);
  const context = recipient ? { ...base, received_by: recipient } : base;
  const inv = applied ? serverInvoice(event) : undefined;
  return {
    kind: event.type === 'delivery.create' ? 'delivery' : 'distribution',
    company,
    number,
    reference: event.id,
    provisional: !number,
    occurred_at: event.occurred_at,
    invoice_date: s(inv?.issue_date),
    context,
    status_note: event.status === 'rejected' ? `REJECTED: ${event.detail ?? event.code ?? ''}` : event.status === 'dismissed' ? 'DISMISSED (not recorded)' : undefined,
  };
}

export function testPageDoc(company: Company | undefined, printerName: string): ReceiptDoc {
  return {
    kind: 'test',
    company,
    reference: `TEST-${Date.now().toString(36).toUpperCase()}`,
    provisional: false,
    occurred_at: new Date().toISOString(),
    context: {
      driver: '-',
      vehicle: '-',
      lines: [{ label: `Printer: ${printerName}`, detail: 'Bluetooth OK' }],
      totals: [{ label: 'Characters', value: 'ABC abc 123' }],
    },
  };
}

/** Splits bytes into chunks a BLE characteristic accepts. */
export function chunkBytes(bytes: Uint8Array, size = 128): Uint8Array[] {
  if (size < 1) throw new Error('chunk size must be positive');
  const out: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += size) out.push(bytes.slice(i, i + size));
  return out;
}
