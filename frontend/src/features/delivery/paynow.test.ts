import { describe, expect, it } from 'vitest';
import vectors from './__fixtures__/paynow-vectors.json';
import { crc16ccitt, paynowPayload, qrSvg } from './paynow';

describe('PayNow payload', () => {
  it('is the string apps/billing/paynow.py makes, for every shared vector', () => {
    expect(vectors.vectors.length).toBeGreaterThanOrEqual(4);
    for (const v of vectors.vectors) {
      expect(paynowPayload({ uen: v.uen, amount: v.amount, reference: v.reference, merchantName: v.merchant_name, city: v.city })).toBe(v.payload);
    }
  });

  it('closes with a CRC that checks', () => {
    const p = paynowPayload({ uen: '201912345K', amount: '117.18', reference: 'INV-2026-000123', merchantName: 'Lion City Gas' });
    expect(crc16ccitt(p.slice(0, -4)).toString(16).toUpperCase().padStart(4, '0')).toBe(p.slice(-4));
    expect(crc16ccitt('123456789')).toBe(0x29b1); // the CRC-16/CCITT-FALSE check value
  });

  it('draws a QR code', () => {
    expect(qrSvg('0002010102121234')).toMatch(/^<svg[\s\S]*<\/svg>$/);
  });
});
