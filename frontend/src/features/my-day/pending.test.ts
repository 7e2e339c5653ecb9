import { describe, expect, it } from 'vitest';
import { pendingVehicleDelta } from './pending';

describe('pending stock on the vehicle', () => {
  it('adds queued loads and deliveries, ignores applied and rejected events', () => {
    const delta = pendingVehicleDelta([
      { type: 'distribution.create', status: 'queued', payload: { items: [{ cylinder_type: 1, quantity: 10, movement_type: 'COLLECTION' }, { cylinder_type: 1, quantity: 3, movement_type: 'EMPTY_RETURN' }, { cylinder_type: 2, quantity: 1, movement_type: 'FULL_RETURN' }] } },
      { type: 'delivery.create', status: 'queued', payload: { lines: [{ cylinder_type: 1, delivered_full: 2, returned_empty: 2 }] } },
      { type: 'delivery.create', status: 'applied', payload: { lines: [{ cylinder_type: 1, delivered_full: 5, returned_empty: 5 }] } },
      { type: 'distribution.create', status: 'rejected', payload: { items: [{ cylinder_type: 1, quantity: 99, movement_type: 'COLLECTION' }] } },
    ]);
    expect(delta.get(1)).toEqual({ full: 8, empty: -1 });
    expect(delta.get(2)).toEqual({ full: -1, empty: 0 });
  });
});
