import { describe, expect, it } from 'vitest';
import { deliveryPayload, pricePreview } from './pricing';

const prices: Record<number, string> = { 1: '27.50', 2: '85.00', 3: '0.05' };

describe('delivery price preview', () => {
  it('prices fulls at list price and adds 9% GST half-up', () => {
    const p = pricePreview(
      [
        { cylinder_type: 1, delivered_full: 1, returned_empty: 1 },
        { cylinder_type: 2, delivered_full: 0, returned_empty: 2 },
      ],
      (t) => prices[t],
    );
    expect(p).toMatchObject({ subtotal: '27.50', gst: '2.48', total: '29.98', delivered_full: 1, returned_empty: 3 });
    expect(p.lines).toEqual([{ cylinder_type: 1, quantity: 1, unit: '27.50', amount: '27.50' }]);
  });

  it('rounds on the subtotal, not per line', () => {
    const p = pricePreview([{ cylinder_type: 3, delivered_full: 3, returned_empty: 0 }], (t) => prices[t]);
    expect(p).toMatchObject({ subtotal: '0.15', gst: '0.01', total: '0.16' }); // 0.0135 -> 0.01
  });

  it('builds the API body without empty lines', () => {
    expect(
      deliveryPayload({
        customer: 7,
        vehicle: 3,
        order: null,
        payment_method: 'CASH',
        lines: [
          { cylinder_type: 2, delivered_full: 3, returned_empty: 3 },
          { cylinder_type: 1, delivered_full: 0, returned_empty: 0 },
        ],
      }),
    ).toEqual({ customer: 7, vehicle: 3, order: null, payment_method: 'CASH', lines: [{ cylinder_type: 2, delivered_full: 3, returned_empty: 3 }] });
  });

  it('carries acknowledged_warnings only when there is one', () => {
    const base = { customer: 7, vehicle: 3, order: null, payment_method: 'CASH' as const, lines: [{ cylinder_type: 2, delivered_full: 1, returned_empty: 0 }] };
    expect(deliveryPayload({ ...base, acknowledged_warnings: ['household_hours'] })).toMatchObject({ acknowledged_warnings: ['household_hours'] });
    expect(deliveryPayload(base)).not.toHaveProperty('acknowledged_warnings');
    expect(deliveryPayload({ ...base, acknowledged_warnings: [] })).not.toHaveProperty('acknowledged_warnings');
  });
});
