import { afterEach, describe, expect, it, vi } from 'vitest';
import { api, ApiError } from '../../../lib/api-client';
import { getMyDay, normalizeMyDay } from './get-my-day';

afterEach(() => vi.restoreAllMocks());

describe('my day', () => {
  it('normalises the day: stock, stops in order, totals', () => {
    const day = normalizeMyDay({
      vehicle: { id: 3, registration: 'GBA1234X' },
      stock: [{ cylinder_type: { id: 2, name: '14kg' }, full_qty: 5, empty_qty: '1' }],
      stops: [
        { id: 9, sequence: 2, customer: { id: 8, name: 'B', kind: 'HOUSEHOLD' }, order: { id: 77 } },
        { id: 8, sequence: 1, customer: 7, customer_name: 'A', order: 76, lines: [{ cylinder_type: 2, quantity: 3 }] },
      ],
      totals: { delivered_full: 4 },
    });
    expect(day.vehicle).toEqual({ id: 3, label: 'GBA1234X' });
    expect(day.stock).toEqual([{ cylinder_type: 2, cylinder_type_name: '14kg', full_qty: 5, empty_qty: 1 }]);
    expect(day.stops.map((s) => [s.id, s.customer.name, s.order])).toEqual([
      [8, 'A', 76],
      [9, 'B', 77],
    ]);
    expect(day.stops[0].lines).toEqual([{ cylinder_type: 2, quantity: 3 }]);
    expect(day.stops.map((s) => s.customer.kind)).toEqual([null, 'HOUSEHOLD']);
    expect(day.totals).toEqual({ delivered_full: 4 });
  });

  it('falls back to /api/me/ and /api/stock/?vehicle= when /api/my-day/ is 404', async () => {
    const calls: string[] = [];
    vi.spyOn(api, 'json').mockImplementation((async (path: string) => {
      calls.push(path);
      if (path === '/api/my-day/') throw new ApiError(404, 'not_found', 'Not found.');
      if (path === '/api/stock/?vehicle=3') return { count: 1, next: null, previous: null, results: [{ location: 12, cylinder_type: 1, full_qty: 4, empty_qty: 0 }] };
      throw new Error(`unexpected ${path}`);
    }) as typeof api.json);
    const me = { id: 1, email: 'd@x', name: 'D', role: 'driver', depotId: 1, vehicleId: 3, vehicleLabel: 'GBA1234X' };
    const day = await getMyDay(me);
    expect(calls).toEqual(['/api/my-day/', '/api/stock/?vehicle=3']);
    expect(day).toMatchObject({ source: 'fallback', vehicle: { id: 3, label: 'GBA1234X' }, stops: [], stock: [{ cylinder_type: 1, full_qty: 4, empty_qty: 0 }] });
  });

  it('other errors are not hidden by the fallback', async () => {
    vi.spyOn(api, 'json').mockRejectedValue(new ApiError(500, 'server_error', 'boom'));
    await expect(getMyDay()).rejects.toMatchObject({ status: 500 });
  });
});
