import { afterEach, describe, expect, it, vi } from 'vitest';
import { api, ApiError } from '../../../lib/api-client';
import type { MyDay } from '../../../api/types';
import { getMyDay } from './get-my-day';

afterEach(() => vi.restoreAllMocks());

// Typed by the generated MyDayOutput: a field the server renames fails `npm run build`.
const day: MyDay = {
  date: '2026-01-19',
  driver: { id: 11, name: 'Demo Driver' },
  vehicle: { id: 3, plate_number: 'GBA1234X' },
  stock: [{ cylinder_type: 2, cylinder_type_name: '14kg', full_qty: 5, empty_qty: 1 }],
  stops: [
    {
      id: 76, sequence: 1, order: 76, status: 'ASSIGNED', scheduled_for: '2026-01-19',
      customer: { id: 7, name: 'A', address: '12 Jalan Besar', postal_code: '208790', phone: '', kind: 'HOUSEHOLD' },
      lines: [{ cylinder_type: 2, name: '14kg', quantity: 3, delivered: 0, remaining: 3 }],
      customer_balance: [], cylinders: [], deposit_total: '0.00', eta: '2026-01-19T01:40:00Z', window_start: '07:00:00', window_end: '21:00:00', notes: '',
    },
    {
      id: 77, sequence: 2, order: 77, status: 'PLANNED', scheduled_for: '2026-01-19',
      customer: { id: 8, name: 'B', address: '1 Bedok', postal_code: '460085', phone: '+65 6000 0000', kind: 'COMMERCIAL' },
      lines: [], customer_balance: [{ cylinder_type: 2, full_qty: 1, empty_qty: 0 }], cylinders: [{ cylinder_type: 2, held: 1, deposit_units: 1 }], deposit_total: '50.00', eta: null, window_start: null, window_end: null, notes: 'Gate code 1234',
    },
  ],
  totals: { loaded: 10, delivered: 2, collected: 1, returned: 0 },
};

describe('my day', () => {
  it('is the server body in one request, the order notes on the stops (empty: null)', async () => {
    const calls: string[] = [];
    vi.spyOn(api, 'json').mockImplementation((async (path: string) => {
      calls.push(path);
      if (path === '/api/my-day/') return day;
      throw new Error(`unexpected ${path}`);
    }) as typeof api.json);
    const got = await getMyDay();
    expect(calls).toEqual(['/api/my-day/']);
    expect(got.vehicle).toEqual({ id: 3, plate_number: 'GBA1234X' });
    expect(got.stops.map((s) => [s.order, s.notes])).toEqual([
      [76, null],
      [77, 'Gate code 1234'],
    ]);
    expect(got.totals).toEqual(day.totals);
  });

  it('errors of my-day itself are not hidden', async () => {
    vi.spyOn(api, 'json').mockRejectedValue(new ApiError(500, 'server_error', 'boom'));
    await expect(getMyDay()).rejects.toMatchObject({ status: 500 });
  });
});
