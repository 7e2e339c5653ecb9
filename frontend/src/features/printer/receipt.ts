import ReceiptPrinterEncoder from '@point-of-sale/receipt-printer-encoder';
import { formatSgTime, PROVISIONAL_TITLE, type ReceiptDoc } from './receipt-doc';

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

  e.initialize().codepage('auto').align('center');
  const c = doc.company;
  if (c) {
    e.bold(true).line(c.name).bold(false);
    if (c.address) e.line(c.address);
    if (c.gst_reg_no) e.line(`GST Reg No: ${c.gst_reg_no}`);
    if (c.uen && c.uen !== c.gst_reg_no) e.line(`UEN: ${c.uen}`);
    if (c.phone) e.line(`Tel: ${c.phone}`);
  } else {
    e.bold(true).line('(company details not loaded)').bold(false);
  }
  e.newline();

  // A tax invoice needs the supplier's GST details: without them it is only a receipt.
  const taxInvoice = doc.kind === 'delivery' && !doc.provisional && !!c?.gst_reg_no;
  const title = doc.kind === 'distribution' ? 'DISTRIBUTION' : doc.kind === 'delivery' ? (doc.provisional ? 'DELIVERY' : taxInvoice ? 'TAX INVOICE' : 'DELIVERY RECEIPT') : 'PRINTER TEST';
  e.bold(true).line(title).bold(false);
  if (doc.kind !== 'test') {
    if (doc.provisional) {
      e.invert(true).line(' PROVISIONAL ').invert(false);
      e.line(doc.kind === 'delivery' ? PROVISIONAL_TITLE : 'Not yet confirmed by office');
    } else if (doc.number) {
      e.size(1, 2).bold(true).line(doc.number).bold(false).size(1, 1);
      if (doc.invoice_date) e.line(`Invoice date: ${doc.invoice_date}`);
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
    if (l.serials?.length) e.line(`  S/N ${l.serials.join(' ')}`);
  }
  if (doc.context.lines.length) e.rule();
  const deposits = doc.context.deposits ?? [];
  // the GST base first; cylinder deposits (no GST) apart, then the total
  const depositRow = (t: { label: string }) => /^deposits/i.test(t.label);
  const grand = (t: { label: string }) => /^total/i.test(t.label);
  for (const t of doc.context.totals.filter((t) => !depositRow(t) && !grand(t))) row(t.label, t.value);
  if (deposits.length || doc.context.totals.some(depositRow)) {
    e.rule();
    e.line('Deposits (not subject to GST)'); // 29 characters: one line at 32 columns
    for (const d of deposits) {
      e.line(d.label);
      row(`  ${d.detail}`, d.amount ?? '');
    }
    for (const t of doc.context.totals.filter(depositRow)) row(t.label, t.value);
  }
  for (const t of doc.context.totals.filter(grand)) row(t.label, t.value);
  if (doc.context.deposit_refund) {
    e.line(`Deposit refund: credit note ${doc.context.deposit_refund.number}`);
    row('Refunded (no GST)', doc.context.deposit_refund.total);
  }
  e.newline();

  e.align('center');
  e.qrcode(doc.number ?? doc.reference, { model: 2, size: 6, errorlevel: 'm' });
  e.line(doc.number ?? doc.reference);
  e.align('left').newline();
  if (doc.kind === 'delivery' && doc.context.received_by) {
    e.line(`Received by ${doc.context.received_by}`);
    e.newline();
  } else if (doc.kind !== 'test') {
    e.line(doc.kind === 'delivery' ? 'Received by (customer):' : 'Received by (depot):');
    e.newline().newline().line('_'.repeat(Math.min(w, 28))).line('Name / signature');
    e.newline();
  }
  e.align('center').line('Thank you').newline();
  return e.cut().encode();
}

