import { describe, expect, it } from 'vitest';
import { deliveredOrders, nextOpenStop, stopDone } from './stop-progress';

const stops = [
  { id: 11, sequence: 1, order: 11, status: 'DELIVERED' },
  { id: 12, sequence: 2, order: 12, status: 'ASSIGNED' },
  { id: 13, sequence: 3, order: 13, status: 'ASSIGNED' },
  { id: 14, sequence: 4, order: 14, status: 'PARTLY_DELIVERED' },
] as const;

const delivery = (order: number) => ({ customer: 7, vehicle: 3, payment_method: 'CASH' as const, order, lines: [] });

describe('stop progress', () => {
  it('a stop is done when the server says so or this phone recorded its delivery (not a rejected one)', () => {
    const delivered = deliveredOrders([
      { type: 'delivery.create', status: 'queued', payload: delivery(12) },
      { type: 'delivery.create', status: 'rejected', payload: delivery(13) },
      { type: 'distribution.create', status: 'applied', payload: { vehicle: 3, items: [] } },
    ]);
    expect([...delivered]).toEqual([12]);
    expect(stops.map((s) => stopDone(s, delivered))).toEqual([true, true, false, false]);
    expect(nextOpenStop([...stops], delivered, 2)?.id).toBe(13);
    expect(nextOpenStop([...stops], delivered, 4)?.id).toBe(13); // wraps to an earlier open stop
    expect(nextOpenStop([...stops], new Set([12, 13, 14]))).toBeUndefined();
  });
});
