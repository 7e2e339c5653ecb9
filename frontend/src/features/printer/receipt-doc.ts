import type { OutboxEvent, ReceiptContext } from '../../lib/db';

// What a receipt says, independent of the printer language. Until the server
// has applied the event there is no document number: the receipt says
// PROVISIONAL and carries the event reference instead.

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
