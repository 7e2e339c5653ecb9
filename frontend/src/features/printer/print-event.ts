import { api, errorFromResponse } from '../../lib/api-client';
import type { OutboxEvent } from '../../lib/db';
import { getPairedPrinter, printBytes } from './bluetooth-printer';
import { receiptFromEvent, testPageDoc } from './receipt-doc';
import { loadCompany } from '../company/api/get-company';
import { loadInvoiceDetail } from './invoice-detail';

// The encoder library is large: load it on the first print only.
const encoder = () => import('./receipt').then((m) => m.encodeReceipt);


export async function printEventReceipt(event: OutboxEvent): Promise<void> {
  const printer = await getPairedPrinter();
  const encodeReceipt = await encoder();
  const [company, withInvoice] = await Promise.all([loadCompany(), loadInvoiceDetail(event)]);
  await printBytes(encodeReceipt(receiptFromEvent(withInvoice, company), printer?.columns ?? 32));
}

export async function printTestPage(): Promise<void> {
  const printer = await getPairedPrinter();
  const encodeReceipt = await encoder();
  await printBytes(encodeReceipt(testPageDoc(await loadCompany(), printer?.name ?? 'printer'), printer?.columns ?? 32));
}

/** Server-side documents for phones without Web Bluetooth (needs the event applied). */
export function serverDocument(event: OutboxEvent): { path: string; filename: string; label: string } | undefined {
  if (!event.result || (event.status !== 'applied' && event.status !== 'duplicate')) return undefined;
  if (event.type === 'distribution.create') {
    const r = event.result;
    return { path: `/api/distributions/${r.id}/receipt/`, filename: `${r.number ?? `distribution-${r.id}`}.bin`, label: 'Download receipt (ESC/POS)' };
  }
  const inv = event.result.invoice;
  if (inv) {
    return { path: `/api/invoices/${inv.id}/pdf/`, filename: `${inv.number ?? `invoice-${inv.id}`}.pdf`, label: 'Open the tax invoice (PDF)' };
  }
  return undefined;
}

/** Fetches with the driver's token and hands the file to the browser. */
export async function downloadServerDocument(doc: { path: string; filename: string }): Promise<void> {
  const res = await api.request(doc.path);
  if (!res.ok) throw await errorFromResponse(res);
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = doc.filename;
  a.target = '_blank';
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
