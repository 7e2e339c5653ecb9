import { describe, expect, it } from 'vitest';
import { decodeEscPos } from '../../../e2e/lib/escpos-decode.mjs';
import type { OutboxEvent } from '../../lib/db';
import { chunkBytes, encodeReceipt, formatSgTime, receiptFromEvent, testPageDoc } from './receipt';

const squash = (s: string) => s.replace(/\s+/g, '');
const company = { name: 'Lion City Gas Pte Ltd', address: '1 Jurong Port Rd', gst_reg: 'M2-1234567-8' };

const delivery: OutboxEvent = {
  seq: 1,
  id: '0b0f6a52-8d7f-4e55-9a57-6a7b2a0c9f11',
  type: 'delivery.create',
  occurred_at: '2026-01-19T08:15:30.000Z',
  payload: {},
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
    expect(out.text).toContain('Not a tax invoice');
    expect(out.text).not.toContain('TAX INVOICE');
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
      result: { id: 9, invoice: { number: 'INV-2026-000123', subtotal: '82.50', gst_rate: '9.00', gst_amount: '7.43', total: '89.93' } },
    };
    const out = decodeEscPos(encodeReceipt(receiptFromEvent(applied, company)));
    expect(out.text).toContain('TAX INVOICE');
    expect(out.text).toContain('INV-2026-000123');
    expect(out.text).not.toContain('PROVISIONAL');
    expect(out.qr).toEqual(['INV-2026-000123']);
    expect(out.lines.some((l) => /^GST 9\.00%\s+7\.43$/.test(l))).toBe(true);
  });

  it('an applied distribution prints its DIST number', () => {
    const dist: OutboxEvent = {
      ...delivery,
      type: 'distribution.create',
      status: 'duplicate',
      result: { number: 'DIST-20260119-0007' },
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
});
