import { describe, expect, it } from 'vitest';
import { otherAppFor } from './role-app';

describe('otherAppFor', () => {
  it('sends a customer contact to the customer app', () => {
    expect(otherAppFor('customer', '/app/')).toBe('/app/customer/');
    expect(otherAppFor('customer', '/app')).toBe('/app/customer/');
  });
  it('keeps every staff role in the driver app', () => {
    for (const role of ['admin', 'supervisor', 'depot_staff', 'driver', 'finance', 'auditor'] as const) {
      expect(otherAppFor(role, '/app/')).toBeNull();
    }
  });
  it('follows the build base by default', () => {
    expect(otherAppFor('customer')).toBe(`${import.meta.env.BASE_URL}customer/`);
  });
});
