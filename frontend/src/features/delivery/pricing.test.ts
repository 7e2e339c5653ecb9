import { describe, expect, it } from 'vitest';
import { changeDue, depositQuote, deliveryPayload, paymentChoices, pricePreview } from './pricing';
import { effectivePrice, sgDay, type PriceBook } from '../master-data/api/get-customer-prices';
import { applyRate, ratePercentLabel } from '../../lib/money';

// The shape GET /api/customers/prices/ answers (apps/customers/price_apis.py), typed by the generated schema.
const customer = { code: 'C1', kind: 'COMMERCIAL', site_address: '1 Road', postal_code: '123456', phone: '', latitude: null, longitude: null, credit_term_days: 0 } as const;
const book: PriceBook = {
  date: '2026-01-19',
  gst_rates: [
    { valid_from: '2024-01-01', rate: '0.0900' },
    { valid_from: '2027-01-01', rate: '0.1000' },
  ],
  cylinder_types: [
    { id: 1, name: '12.7 kg', prices: [{ valid_from: null, price: '24.99' }], deposits: [{ valid_from: '2024-01-01', price: '45.00' }] },
    { id: 2, name: '14 kg', prices: [{ valid_from: '2025-07-01', price: '27.85' }], deposits: [] },
    { id: 3, name: '50 kg', prices: [{ valid_from: null, price: '92.00' }, { valid_from: '2026-03-01', price: '95.10' }], deposits: [{ valid_from: '2024-01-01', price: '150.00' }, { valid_from: '2026-06-01', price: '165.50' }] },
  ],
  service_items: [],
  count: 2,
  customers: [
    { ...customer, id: 7, name: 'Ah Hock Zi Char', payment_terms: 'CREDIT', prices: { '1': [{ valid_from: '2025-03-01', price: '21.50' }, { valid_from: '2026-02-01', price: '21.37' }] } },
    { ...customer, id: 8, name: 'Mdm Lim Household', kind: 'HOUSEHOLD', payment_terms: 'CASH', prices: {} },
  ],
};

describe('delivery price preview (the server invoice, computed on the phone)', () => {
  it('quotes the contract price: 5 x 12.7 kg at 21.50 is 117.18, not the list-price 136.20', () => {
    const lines = [{ cylinder_type: 1, delivered_full: 5, returned_empty: 5 }];
    const contract = pricePreview(lines, book, 7, '2026-01-19');
    expect(contract).toMatchObject({ subtotal: '107.50', gst_rate: '9', gst: '9.68', total: '117.18', missing: [] });
    expect(contract.lines).toEqual([{ cylinder_type: 1, quantity: 5, unit: '21.50', amount: '107.50', contract: true }]);
    expect(pricePreview(lines, book, 8, '2026-01-19').total).toBe('136.20');
  });

  it('rounds GST once on the subtotal, half-up (7 x 14 kg + 3 x 12.7 kg contract)', () => {
    const p = pricePreview(
      [
        { cylinder_type: 1, delivered_full: 3, returned_empty: 0 },
        { cylinder_type: 2, delivered_full: 7, returned_empty: 2 },
      ],
      book,
      7,
      '2026-01-19',
      new Map([[1, { held: 0, deposit_units: 3 }]]), // deposits already cover the 3 cylinders: no deposit here
    );
    // 64.50 + 194.95 = 259.45; GST 23.3505 -> 23.35
    expect(p).toMatchObject({ subtotal: '259.45', gst: '23.35', total: '282.80', delivered_full: 10, returned_empty: 2 });
    expect(applyRate(43583, '0.09')).toBe(3922); // 39.2247 -> 39.22
    expect(applyRate(2750, '0.0900')).toBe(248); // 2.475 -> 2.48, half-up not banker's
  });

  it('uses the price and GST rate in force on the delivery date', () => {
    expect(effectivePrice(book, 7, 1, '2026-02-01')).toEqual({ price: '21.37', contract: true });
    expect(effectivePrice(book, 7, 1, '2025-02-28')).toEqual({ price: '24.99', contract: false }); // before the contract
    expect(effectivePrice(book, 8, 3, '2026-03-01')?.price).toBe('95.10');
    expect(effectivePrice(book, 8, 2, '2025-06-30')).toBeUndefined(); // no price yet
    const p = pricePreview([{ cylinder_type: 3, delivered_full: 1, returned_empty: 0 }], book, 8, '2027-01-01', new Map([[3, { held: 2, deposit_units: 3 }]]));
    expect(p).toMatchObject({ gst_rate: '10', subtotal: '95.10', gst: '9.51', total: '104.61' });
    // without deposits covering it, the 50 kg deposit in force (165.50, no GST) is added after GST
    expect(pricePreview([{ cylinder_type: 3, delivered_full: 1, returned_empty: 0 }], book, 8, '2027-01-01', new Map()).total).toBe('270.11');
    expect(ratePercentLabel('0.0750')).toBe('7.5');
  });

  it('says which types have no price instead of quoting 0', () => {
    const p = pricePreview([{ cylinder_type: 2, delivered_full: 2, returned_empty: 0 }], book, 8, '2025-01-01');
    expect(p.missing).toEqual([2]);
    expect(pricePreview([{ cylinder_type: 1, delivered_full: 1, returned_empty: 0 }], undefined, 7, '2026-01-19').missing).toEqual([1]);
  });

  it('takes the Singapore date of the delivery instant', () => {
    expect(sgDay(new Date('2026-01-18T16:30:00Z'))).toBe('2026-01-19'); // 00:30 SGT
    expect(sgDay(new Date('2026-01-18T15:59:00Z'))).toBe('2026-01-18');
  });
});

describe('payment at the door', () => {
  it('offers CREDIT only to credit-terms customers', () => {
    expect(paymentChoices('CREDIT')).toContain('CREDIT');
    expect(paymentChoices('CASH')).not.toContain('CREDIT');
    expect(paymentChoices(undefined)).toEqual(['CASH', 'PAYNOW', 'CHEQUE', 'BANK_TRANSFER']);
  });

  it('computes the change from the cash tendered', () => {
    expect(changeDue(11718, '150')).toBe(3282);
    expect(changeDue(11718, '117.18')).toBe(0);
    expect(changeDue(11718, '100')).toBeUndefined();
    expect(changeDue(11718, '12.345')).toBeUndefined();
  });
});

describe('delivery body', () => {
  const base = { customer: 7, vehicle: 3, order: null, payment_method: 'CASH' as const, lines: [{ cylinder_type: 2, delivered_full: 1, returned_empty: 0 }] };
  it('builds the API body without empty lines', () => {
    expect(deliveryPayload({ ...base, lines: [...base.lines, { cylinder_type: 1, delivered_full: 0, returned_empty: 0 }] })).toEqual({
      customer: 7,
      vehicle: 3,
      order: null,
      payment_method: 'CASH',
      lines: [{ cylinder_type: 2, delivered_full: 1, returned_empty: 0 }],
    });
  });

  it('carries acknowledged_warnings, amount_tendered and payment_reference only when set', () => {
    expect(deliveryPayload({ ...base, acknowledged_warnings: ['household_hours'] })).toMatchObject({ acknowledged_warnings: ['household_hours'] });
    expect(deliveryPayload(base)).not.toHaveProperty('acknowledged_warnings');
    expect(deliveryPayload({ ...base, acknowledged_warnings: [] })).not.toHaveProperty('acknowledged_warnings');
    expect(deliveryPayload({ ...base, amount_tendered: '150' })).toMatchObject({ amount_tendered: '150.00' });
    expect(deliveryPayload({ ...base, payment_method: 'PAYNOW', amount_tendered: '150' })).not.toHaveProperty('amount_tendered');
    expect(deliveryPayload({ ...base, payment_method: 'PAYNOW', payment_reference: ' PN123 ' })).toMatchObject({ payment_reference: 'PN123' });
    expect(deliveryPayload({ ...base, payment_reference: 'PN123' })).not.toHaveProperty('payment_reference');
  });
});

describe('delivery body with serials and proof (issue 13)', () => {
  const base = { customer: 7, vehicle: 3, order: null, payment_method: 'CASH' as const };
  it('serials per line only when entered; a body without serials is unchanged', () => {
    const body = deliveryPayload({
      ...base,
      lines: [
        { cylinder_type: 9, delivered_full: 2, returned_empty: 1, delivered_serials: ['SG45-0001', 'SG45-0002'], returned_serials: ['SG45-0031'] },
        { cylinder_type: 2, delivered_full: 7, returned_empty: 14, delivered_serials: [], returned_serials: [] },
      ],
    });
    expect(body.lines).toEqual([
      { cylinder_type: 9, delivered_full: 2, returned_empty: 1, delivered_serials: ['SG45-0001', 'SG45-0002'], returned_serials: ['SG45-0031'] },
      { cylinder_type: 2, delivered_full: 7, returned_empty: 14 },
    ]);
    // serials left on a side whose quantity went to 0 are not sent
    expect(deliveryPayload({ ...base, lines: [{ cylinder_type: 9, delivered_full: 0, returned_empty: 1, delivered_serials: ['SG45-0001'] }] }).lines[0]).not.toHaveProperty('delivered_serials');
  });
  it('proof only when given', () => {
    const proof = { recipient_name: 'Mdm Lim', signature_sha256: 'a'.repeat(64), photo_sha256: [], latitude: null, longitude: null, accuracy_m: null };
    expect(deliveryPayload({ ...base, lines: [{ cylinder_type: 2, delivered_full: 1, returned_empty: 0 }], proof })).toMatchObject({ proof });
    expect(deliveryPayload({ ...base, lines: [{ cylinder_type: 2, delivered_full: 1, returned_empty: 0 }] })).not.toHaveProperty('proof');
  });
});

describe('cylinder deposits quoted on the phone (the server rule, apps/billing/deposits.py)', () => {
  const day = '2026-01-19';
  const h = (entries: [number, number, number][]) => new Map(entries.map(([t, held, deposit_units]) => [t, { held, deposit_units }]));
  it('a net increase beyond the deposits held is charged at the rate of the day, outside the GST base', () => {
    // Ah Hock holds 4 x 12.7 kg, deposits for 4; gets 5 full, gives 2 empty: holds 7, 3 more to cover at 45.00
    const p = pricePreview([{ cylinder_type: 1, delivered_full: 5, returned_empty: 2 }], book, 7, day, h([[1, 4, 4]]));
    expect(p).toMatchObject({ subtotal: '107.50', gst: '9.68', total: '252.18' });
    expect(p.deposits).toEqual({ lines: [{ cylinder_type: 1, units: 3, unit: '45.00', amount: '135.00' }], total: '135.00', refunds: [], known: true });
  });
  it('never charged retroactively: cylinders held before deposits existed are not charged', () => {
    // holds 10, no deposits: a swap (3 full for 3 empty) charges nothing; 3 full for 1 empty charges 2
    expect(depositQuote([{ cylinder_type: 1, delivered_full: 3, returned_empty: 3 }], book, h([[1, 10, 0]]), day).lines).toEqual([]);
    expect(depositQuote([{ cylinder_type: 1, delivered_full: 3, returned_empty: 1 }], book, h([[1, 10, 0]]), day).lines).toEqual([{ cylinder_type: 1, units: 2, unit: '45.00', amount: '90.00' }]);
  });
  it('spare deposit units are used first', () => {
    // holds 4, deposits cover 6: 3 more held = 7, only 1 unit to charge
    expect(depositQuote([{ cylinder_type: 3, delivered_full: 3, returned_empty: 0 }], book, h([[3, 4, 6]]), day).lines).toEqual([{ cylinder_type: 3, units: 1, unit: '150.00', amount: '150.00' }]);
  });
  it('the deposit in force on the day; a type without a rate charges nothing', () => {
    expect(depositQuote([{ cylinder_type: 3, delivered_full: 1, returned_empty: 0 }], book, h([]), '2026-07-01').total).toBe('165.50');
    expect(depositQuote([{ cylinder_type: 2, delivered_full: 7, returned_empty: 0 }], book, h([]), day).total).toBe('0.00');
  });
  it('a return below the units covered is refunded (credit note), never below zero', () => {
    const q = depositQuote([{ cylinder_type: 1, delivered_full: 0, returned_empty: 2 }], book, h([[1, 5, 5]]), day);
    expect(q).toMatchObject({ total: '0.00', refunds: [{ cylinder_type: 1, units: 2 }] });
    expect(depositQuote([{ cylinder_type: 1, delivered_full: 0, returned_empty: 9 }], book, h([[1, 5, 5]]), day).refunds).toEqual([{ cylinder_type: 1, units: 5 }]);
  });
  it('unknown holding: the net increase is charged, marked as an estimate', () => {
    const q = depositQuote([{ cylinder_type: 1, delivered_full: 7, returned_empty: 3 }], book, undefined, day);
    expect(q).toMatchObject({ known: false, total: '180.00' });
  });
});
