import ReceiptPrinterEncoder from '@point-of-sale/receipt-printer-encoder';
import { formatSgTime, type ReceiptDoc } from './receipt-doc';

// ESC/POS bytes built on the phone, so receipts print with no network. This
// module (and the encoder library) is loaded only when something is printed.

export * from './receipt-doc';

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

