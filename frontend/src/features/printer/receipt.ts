import ReceiptPrinterEncoder from '@point-of-sale/receipt-printer-encoder';
import type { OutboxEvent, ReceiptContext } from '../../lib/db';

// Receipts are ESC/POS bytes built here, so they print with no network.
// Until the server has applied the event there is no document number: the
// receipt says PROVISIONAL and carries the event reference instead.

export interface Company {
  name: string;
  address?: string;
  gst_reg?: string;
  phone?: string;
}

export interface ReceiptDoc {
  kind: 'distribution' | 'delivery' | 'test';
  company: Company;
  number?: string; // DIST-... / INV-... once applied
  reference: string; // event id
  provisional: boolean;
  occurred_at: string; // ISO
  context: ReceiptContext;
  status_note?: string;
}

const pad2 = (n: number) => String(n).padStart(2, '0');

/** Singapore time (UTC+8, no DST), fixed format so receipts and tests agree. */
export function formatSgTime(iso: string): string {
  const d = new Date(new Date(iso).getTime() + 8 * 3600 * 1000);
  return `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())} ${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())} SGT`;
}

export function documentNumber(event: Pick<OutboxEvent, 'type' | 'result'>): string | undefined {
  const r = event.result as Record<string, unknown> | undefined;
  if (!r) return undefined;
  if (event.type === 'delivery.create') {
    const inv = r.invoice as Record<string, unknown> | undefined;
    return typeof inv?.number === 'string' ? inv.number : typeof r.number === 'string' ? r.number : undefined;
  }
  return typeof r.number === 'string' ? r.number : undefined;
}

export function receiptFromEvent(event: OutboxEvent, company: Company): ReceiptDoc {
  const applied = event.status === 'applied' || event.status === 'duplicate';
  const number = applied ? documentNumber(event) : undefined;
  let context = event.summary;
  if (event.type === 'delivery.create' && applied) {
    const inv = (event.result as Record<string, unknown> | undefined)?.invoice as Record<string, string> | undefined;
    if (inv) {
      context = {
        ...context,
        totals: [
          ...context.totals.filter((t) => !/subtotal|gst|total/i.test(t.label)),
          { label: 'Subtotal', value: inv.subtotal },
          { label: `GST ${inv.gst_rate ?? ''}%`.replace(' %', ''), value: inv.gst_amount },
          { label: 'TOTAL SGD', value: inv.total },
        ].filter((t) => t.value !== undefined),
      };
    }
  }
  return {
    kind: event.type === 'delivery.create' ? 'delivery' : 'distribution',
    company,
    number,
    reference: event.id,
    provisional: !number,
    occurred_at: event.occurred_at,
    context,
    status_note: event.status === 'rejected' ? `REJECTED: ${event.detail ?? event.code ?? ''}` : undefined,
  };
}

export function encodeReceipt(doc: ReceiptDoc, columns = 32): Uint8Array {
  const e = new ReceiptPrinterEncoder({ language: 'esc-pos', columns, feedBeforeCut: 4 });
  const w = columns;
  const valueWidth = Math.min(12, Math.floor(w / 3));
  const row = (left: string, right: string) =>
    e.table(
      [
        { width: w - valueWidth - 1, marginRight: 1, align: 'left' },
        { width: valueWidth, align: 'right' },
      ],
      [[left, right]],
    );

  e.initialize().codepage('auto').align('center').bold(true).line(doc.company.name).bold(false);
  if (doc.company.address) e.line(doc.company.address);
  if (doc.company.gst_reg) e.line(`GST Reg No: ${doc.company.gst_reg}`);
  if (doc.company.phone) e.line(`Tel: ${doc.company.phone}`);
  e.newline();

  const title = doc.kind === 'distribution' ? 'DISTRIBUTION' : doc.kind === 'delivery' ? (doc.provisional ? 'DELIVERY' : 'TAX INVOICE') : 'PRINTER TEST';
  e.bold(true).line(title).bold(false);
  if (doc.kind !== 'test') {
    if (doc.provisional) {
      e.invert(true).line(' PROVISIONAL ').invert(false);
      e.line(doc.kind === 'delivery' ? 'Not a tax invoice' : 'Not yet confirmed by office');
    } else if (doc.number) {
      e.size(1, 2).bold(true).line(doc.number).bold(false).size(1, 1);
    }
  }
  e.align('left').rule();
  e.line(`Date: ${formatSgTime(doc.occurred_at)}`);
  e.line(`Ref: ${doc.reference}`);
  e.line(`Driver: ${doc.context.driver}`);
  e.line(`Vehicle: ${doc.context.vehicle}`);
  if (doc.context.customer) e.line(`Customer: ${doc.context.customer}`);
  if (doc.context.customer_address) e.line(doc.context.customer_address);
  if (doc.context.payment_method) e.line(`Payment: ${doc.context.payment_method}`);
  if (doc.status_note) e.bold(true).line(doc.status_note).bold(false);
  e.rule();
  for (const l of doc.context.lines) {
    e.line(l.label);
    row(`  ${l.detail}`, l.amount ?? '');
  }
  if (doc.context.lines.length) e.rule();
  for (const t of doc.context.totals) row(t.label, t.value);
  e.newline();

  e.align('center');
  e.qrcode(doc.number ?? doc.reference, { model: 2, size: 6, errorlevel: 'm' });
  e.line(doc.number ?? doc.reference);
  e.align('left').newline();
  if (doc.kind !== 'test') {
    e.line(doc.kind === 'delivery' ? 'Received by (customer):' : 'Received by (depot):');
    e.newline().newline().line('_'.repeat(Math.min(w, 28))).line('Name / signature');
    e.newline();
  }
  e.align('center').line('Thank you').newline();
  return e.cut().encode();
}

export function testPageDoc(company: Company, printerName: string): ReceiptDoc {
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
