import { describe, expect, it } from 'vitest';
import type { CustomerOrder } from './types';
import { isOpen, mayCancel, payAtDoorReason } from './orders';

const order = (over: Partial<CustomerOrder>): CustomerOrder =>
  ({ id: 1, status: 'PLANNED', notes: '', payment_at_door: false, tracking: { state: 'received', eta: null, window_start: null, window_end: null }, ...over }) as CustomerOrder;

describe('an order as the contact sees it', () => {
  it('may be cancelled only while received and not planned on a truck', () => {
    expect(mayCancel(order({}))).toBe(true);
    expect(mayCancel(order({ tracking: { state: 'planned', eta: null, window_start: null, window_end: null } }))).toBe(false);
    expect(mayCancel(order({ status: 'ASSIGNED' }))).toBe(false);
    expect(mayCancel(order({ status: 'CANCELLED', tracking: { state: 'cancelled', eta: null, window_start: null, window_end: null } }))).toBe(false);
    expect(isOpen(order({ status: 'PARTLY_DELIVERED' }))).toBe(true);
    expect(isOpen(order({ status: 'DELIVERED' }))).toBe(false);
  });

  it('on credit hold, says why payment is at the door (the first line of the notes the driver reads)', () => {
    const held = order({
      payment_at_door: true,
      notes: 'PAYMENT AT THE DOOR: Invoice INV-2026-000123 is 45 days overdue (SGD 120.00): this order is delivered against payment at the door.\nBack door',
    });
    expect(payAtDoorReason(held)).toBe('Invoice INV-2026-000123 is 45 days overdue (SGD 120.00): this order is delivered against payment at the door.');
    expect(payAtDoorReason(order({ notes: 'Back door' }))).toBeUndefined();
  });
});
