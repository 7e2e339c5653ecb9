import { describe, expect, it } from 'vitest';
import { pendingVehicleDelta } from './pending';

describe('pending stock on the vehicle', () => {
  it('adds queued loads and deliveries, ignores applied and rejected events', () => {
    const delta = pendingVehicleDelta([
      { type: 'distribution.create', status: 'queued', payload: { vehicle: 3, items: [{ cylinder_type: 1, quantity: 10, movement_type: 'COLLECTION', depot: 1 }, { cylinder_type: 1, quantity: 3, movement_type: 'EMPTY_RETURN', depot: 1 }, { cylinder_type: 2, quantity: 1, movement_type: 'FULL_RETURN', depot: 1 }] } },
      { type: 'delivery.create', status: 'queued', payload: { customer: 7, vehicle: 3, payment_method: 'CASH', lines: [{ cylinder_type: 1, delivered_full: 2, returned_empty: 2 }] } },
      { type: 'delivery.create', status: 'applied', payload: { customer: 7, vehicle: 3, payment_method: 'CASH', lines: [{ cylinder_type: 1, delivered_full: 5, returned_empty: 5 }] } },
      { type: 'distribution.create', status: 'rejected', payload: { vehicle: 3, items: [{ cylinder_type: 1, quantity: 99, movement_type: 'COLLECTION', depot: 1 }] } },
    ]);
    expect(delta.get(1)).toEqual({ full: 8, empty: -1 });
    expect(delta.get(2)).toEqual({ full: -1, empty: 0 });
  });
});
