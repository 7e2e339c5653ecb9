import { describe, expect, it } from 'vitest';
import { decodeEscPos } from '../../../e2e/lib/escpos-decode.mjs';
import type { OutboxEvent, OutboxEventOf } from '../../lib/db';
import type { DeliveryResult, Invoice } from '../../api/types';

// Fixtures carry only the fields the receipt reads; the rest of the server's shape is cast.
const result = (r: Record<string, unknown>) => r as unknown as DeliveryResult;
import { chunkBytes, encodeReceipt, formatSgTime, receiptFromEvent, testPageDoc } from './receipt';

const squash = (s: string) => s.replace(/\s+/g, '');
const company = { name: 'Lion City Gas Pte Ltd', address: '1 Jurong Port Rd', gst_reg_no: 'M2-1234567-8', uen: '201912345K', phone: '', email: '', paynow_uen: '201912345K' };

const delivery: OutboxEventOf<'delivery.create'> = {
  seq: 1,
  id: '0b0f6a52-8d7f-4e55-9a57-6a7b2a0c9f11',
  type: 'delivery.create',
  occurred_at: '2026-01-19T08:15:30.000Z',
  payload: { customer: 7, vehicle: 3, payment_method: 'CASH', lines: [{ cylinder_type: 1, delivered_full: 3, returned_empty: 3 }] },
  signature: 'x',
  status: 'queued',
  created_at: 0,
  attempts: 0,
  summary: {
    driver: 'Tan Ah Kow',
    vehicle: 'GBA1234X',
    customer: 'Ah Seng Eating House',
    customer_address: '12 Ang Mo Kio Ave 3',
    payment_method: 'Cash',
    lines: [{ label: '12.7kg LPG', detail: '3 full x 27.50', amount: '82.50' }],
    totals: [
      { label: 'Fulls delivered', value: '3' },
      { label: 'Empties returned', value: '3' },
      { label: 'Subtotal', value: '82.50' },
      { label: 'GST 9%', value: '7.43' },
      { label: 'TOTAL SGD', value: '89.93' },
    ],
  },
};

describe('receipt encoding', () => {
  it('a queued delivery prints PROVISIONAL with the event reference and its QR', () => {
    const out = decodeEscPos(encodeReceipt(receiptFromEvent(delivery, company)));
    expect(out.initialized).toBe(true);
    expect(out.text).toContain('Lion City Gas Pte Ltd');
    expect(out.text).toContain('GST Reg No: M2-1234567-8');
    expect(out.text).toContain('PROVISIONAL');
    expect(out.text).toContain('PROVISIONAL - NOT A TAX INVOICE');
    expect(out.lines.some((l) => l.trim() === 'TAX INVOICE')).toBe(false);
    expect(squash(out.text)).toContain(squash(`Ref: ${delivery.id}`));
    expect(out.text).toContain('Date: 2026-01-19 16:15 SGT');
    expect(out.text).toContain('Driver: Tan Ah Kow');
    expect(out.text).toContain('Vehicle: GBA1234X');
    expect(out.text).toContain('Customer: Ah Seng Eating House');
    expect(out.text).toContain('12.7kg LPG');
    expect(out.lines.some((l) => /^TOTAL SGD\s+89\.93$/.test(l))).toBe(true);
    expect(out.text).toContain('Name / signature');
    expect(out.qr).toEqual([delivery.id]);
    expect(out.qrPrinted).toBe(1);
    expect(out.cut).toBe(true);
  });

  it('an applied delivery prints the tax invoice number and the server totals', () => {
    const applied: OutboxEvent = {
      ...delivery,
      status: 'applied',
      result: result({ id: 9, invoice: { number: 'INV-2026-000123', subtotal: '82.50', gst_rate: '9', gst_amount: '7.43', total: '89.93' } }),
    };
    const out = decodeEscPos(encodeReceipt(receiptFromEvent(applied, company)));
    expect(out.text).toContain('TAX INVOICE');
    expect(out.text).toContain('INV-2026-000123');
    expect(out.text).not.toContain('PROVISIONAL');
    expect(out.qr).toEqual(['INV-2026-000123']);
    expect(out.lines.some((l) => /^GST 9%\s+7\.43$/.test(l))).toBe(true);
  });

  it("an applied delivery is a tax invoice with the IRAS fields and the server's own lines", () => {
    const applied: OutboxEvent = {
      ...delivery,
      status: 'applied',
      result: result({ id: 9, invoice: { id: 41, number: 'INV-2026-000124', subtotal: '107.50', gst_rate: '9', gst_amount: '9.68', total: '117.18', issue_date: '2026-01-19' } }),
      // the phone quoted other figures (an old list price): the receipt must not keep them
      summary: { ...delivery.summary, lines: [{ label: '12.7kg LPG', detail: '5 full x 24.99', amount: '124.95' }] },
      invoice: {
        customer_name: 'Ah Seng Eating House',
        customer_address: '12 Ang Mo Kio Ave 3',
        customer_postal_code: '560012',
        lines: [{ description: 'LPG refill 12.7 kg cylinder', quantity: '5.000', unit_price: '21.5000', amount: '107.50' }],
      } as unknown as Invoice,
    };
    const out = decodeEscPos(encodeReceipt(receiptFromEvent(applied, company)));
    for (const want of ['Lion City Gas Pte Ltd', '1 Jurong Port Rd', 'GST Reg No: M2-1234567-8', 'TAX INVOICE', 'INV-2026-000124', 'Invoice date: 2026-01-19', 'Customer: Ah Seng Eating House', 'S(560012)', 'LPG refill 12.7 kg cylinder']) {
      expect(out.text).toContain(want);
    }
    expect(out.lines.some((l) => /^\s+5 x 21\.50\s+107\.50$/.test(l))).toBe(true);
    expect(out.text).not.toContain('124.95');
    expect(out.lines.some((l) => /^Subtotal\s+107\.50$/.test(l))).toBe(true);
    expect(out.lines.some((l) => /^GST 9%\s+9\.68$/.test(l))).toBe(true);
    expect(out.lines.some((l) => /^TOTAL SGD\s+117\.18$/.test(l))).toBe(true);
  });

  it('without the company details an applied delivery is not titled a tax invoice', () => {
    const applied: OutboxEvent = { ...delivery, status: 'applied', result: result({ invoice: { number: 'INV-2026-000125', subtotal: '1.00', gst_rate: '9', gst_amount: '0.09', total: '1.09' } }) };
    const out = decodeEscPos(encodeReceipt(receiptFromEvent(applied, undefined)));
    expect(out.text).toContain('(company details not loaded)');
    expect(out.text).toContain('DELIVERY RECEIPT');
    expect(out.text).not.toContain('TAX INVOICE');
  });

  it('an applied distribution prints its DIST number', () => {
    const dist: OutboxEvent = {
      ...delivery,
      type: 'distribution.create',
      payload: { vehicle: 3, items: [] },
      status: 'duplicate',
      result: { number: 'DIST-20260119-0007' } as OutboxEventOf<'distribution.create'>['result'],
      summary: { driver: 'D', vehicle: 'V', lines: [{ label: 'Depot A: 12.7kg', detail: 'Collection 10' }], totals: [{ label: 'Collected fulls', value: '10' }] },
    };
    const out = decodeEscPos(encodeReceipt(receiptFromEvent(dist, company), 48));
    expect(out.text).toContain('DISTRIBUTION');
    expect(out.text).toContain('DIST-20260119-0007');
    expect(out.qr).toEqual(['DIST-20260119-0007']);
    expect(out.lines.every((l) => l.length <= 48)).toBe(true);
  });

  it('a rejected event never prints a number and says why', () => {
    const rejected: OutboxEvent = { ...delivery, status: 'rejected', code: 'insufficient_stock', detail: 'Not enough fulls on GBA1234X' };
    const out = decodeEscPos(encodeReceipt(receiptFromEvent(rejected, company)));
    expect(out.text).toContain('PROVISIONAL');
    expect(squash(out.text)).toContain(squash('REJECTED: Not enough fulls on GBA1234X'));
  });

  it('fits 32 columns', () => {
    const out = decodeEscPos(encodeReceipt(receiptFromEvent(delivery, company), 32));
    expect(out.lines.filter((l) => l.length > 32)).toEqual([]);
  });

  it('test page', () => {
    const out = decodeEscPos(encodeReceipt(testPageDoc(company, 'PT-210')));
    expect(out.text).toContain('PRINTER TEST');
    expect(out.text).toContain('Printer: PT-210');
    expect(out.qr[0]).toMatch(/^TEST-/);
  });

  it('chunks bytes for BLE writes', () => {
    const bytes = new Uint8Array(300).map((_, i) => i % 256);
    const chunks = chunkBytes(bytes, 128);
    expect(chunks.map((c) => c.length)).toEqual([128, 128, 44]);
    expect(Array.from(chunks.flatMap((c) => Array.from(c)))).toEqual(Array.from(bytes));
  });

  it('formats Singapore time', () => {
    expect(formatSgTime('2026-01-19T16:30:00Z')).toBe('2026-01-20 00:30 SGT');
  });

  it('deposits apart from the GST base, and Received by <name> (issue 13)', () => {
    const applied: OutboxEvent = {
      ...delivery,
      payload: { ...delivery.payload, proof: { recipient_name: 'Mdm Lim Bee Hoon', signature_sha256: 'a'.repeat(64), photo_sha256: [], latitude: null, longitude: null, accuracy_m: null } },
      status: 'applied',
      result: result({ id: 9, invoice: { id: 42, number: 'INV-2026-000126', subtotal: '82.50', gst_rate: '9', gst_amount: '7.43', deposit_total: '135.00', total: '224.93' } }),
      invoice: {
        lines: [
          { kind: 'GOODS', description: 'LPG refill 12.7 kg cylinder', quantity: '3.000', unit_price: '27.5000', amount: '82.50' },
          { kind: 'DEPOSIT', description: 'Cylinder deposit 12.7 kg', quantity: '3.000', unit_price: '45.0000', amount: '135.00' },
        ],
      } as unknown as Invoice,
    };
    const doc = receiptFromEvent(applied, company);
    expect(doc.context.lines.map((l) => l.label)).toEqual(['LPG refill 12.7 kg cylinder']);
    expect(doc.context.deposits).toEqual([{ label: 'Cylinder deposit 12.7 kg', detail: '3 x 45.00', amount: '135.00' }]);
    const out = decodeEscPos(encodeReceipt(doc));
    const at = (re: RegExp) => out.lines.findIndex((l) => re.test(l));
    // Subtotal and GST (the GST base), then the deposits apart, then the total
    expect(at(/^Subtotal\s+82\.50$/)).toBeGreaterThan(-1);
    expect(at(/^GST 9%\s+7\.43$/)).toBeGreaterThan(at(/^Subtotal/));
    expect(at(/^Deposits \(not subject to GST\)$/)).toBeGreaterThan(at(/^GST 9%/));
    expect(at(/^\s+3 x 45\.00\s+135\.00$/)).toBeGreaterThan(at(/^Deposits \(not/));
    expect(at(/^Deposits \(no GST\)\s+135\.00$/)).toBeGreaterThan(at(/^Deposits \(not/));
    expect(at(/^TOTAL SGD\s+224\.93$/)).toBeGreaterThan(at(/^Deposits \(no GST\)/));
    expect(out.text).toContain('Received by Mdm Lim Bee Hoon');
    expect(out.text).not.toContain('Name / signature');
  });

  it('no deposit section when the invoice has none; serials printed under their line', () => {
    const queued: OutboxEvent = { ...delivery, summary: { ...delivery.summary, lines: [{ label: '45 kg', detail: '2 full', amount: '200.00', serials: ['SG45-0001', 'SG45-0002'] }] } };
    const out = decodeEscPos(encodeReceipt(receiptFromEvent(queued, company)));
    expect(out.text).not.toContain('deposits');
    expect(out.text).toContain('S/N SG45-0001 SG45-0002');
  });

  it('a deposit refund prints its credit note after the total', () => {
    const applied: OutboxEvent = {
      ...delivery,
      status: 'applied',
      result: result({ id: 9, invoice: { id: 43, number: 'INV-2026-000127', subtotal: '0.00', gst_rate: '9', gst_amount: '0.00', total: '0.00' }, deposit_credit_note: { id: 5, number: 'CN-2026-000005', total: '90.00' } }),
    };
    const out = decodeEscPos(encodeReceipt(receiptFromEvent(applied, company)));
    const at = (re: RegExp) => out.lines.findIndex((l) => re.test(l));
    expect(squash(out.text)).toContain(squash('Deposit refund: credit note CN-2026-000005'));
    expect(at(/^Refunded \(no GST\)\s+90\.00$/)).toBeGreaterThan(at(/^TOTAL SGD/));
  });
});
