import { describe, expect, it } from 'vitest';
import { navigationLinks, stopHoldings, telHref } from './stop-links';

describe('Navigate links', () => {
  it('Google Maps and Waze to the coordinates', () => {
    expect(navigationLinks('1.354920', '103.956030', '12 Tampines St 81')).toEqual({
      google: 'https://www.google.com/maps/dir/?api=1&destination=1.354920,103.956030&travelmode=driving',
      waze: 'https://waze.com/ul?ll=1.354920,103.956030&navigate=yes',
      exact: true,
    });
  });
  it('the address as the query when there are no coordinates', () => {
    expect(navigationLinks(null, null, 'Blk 123 Ang Mo Kio Ave 3 #01-45 S(560123)')).toEqual({
      google: 'https://www.google.com/maps/dir/?api=1&destination=Blk%20123%20Ang%20Mo%20Kio%20Ave%203%20%2301-45%20S(560123)&travelmode=driving',
      waze: 'https://waze.com/ul?q=Blk%20123%20Ang%20Mo%20Kio%20Ave%203%20%2301-45%20S(560123)&navigate=yes',
      exact: false,
    });
  });
  it('bad or zero coordinates fall back to the address; nothing at all gives no link', () => {
    expect(navigationLinks('abc', '103.9', 'Jurong')?.exact).toBe(false);
    expect(navigationLinks('91', '103.9', 'Jurong')?.exact).toBe(false);
    expect(navigationLinks('0', '0', 'Jurong')?.exact).toBe(false);
    expect(navigationLinks(undefined, undefined, '  ')).toBeUndefined();
    expect(navigationLinks(1.3, 103.8)).toMatchObject({ exact: true, waze: 'https://waze.com/ul?ll=1.3,103.8&navigate=yes' });
  });
});

describe('Call link', () => {
  it('keeps the + and the digits', () => {
    expect(telHref('+65 9123 4567')).toBe('tel:+6591234567');
    expect(telHref('6123-4567')).toBe('tel:61234567');
  });
  it('no link without a number', () => {
    expect(telHref('')).toBeUndefined();
    expect(telHref(null)).toBeUndefined();
    expect(telHref('n/a')).toBeUndefined();
  });
});

describe('stop holdings', () => {
  it('reads cylinders and deposit_total when the server sends them', () => {
    expect(stopHoldings({ cylinders: [{ cylinder_type: 3, held: 7, deposit_units: 5 }], deposit_total: '225.00' })).toEqual({
      cylinders: [{ cylinder_type: 3, held: 7, deposit_units: 5 }],
      deposit_total: '225.00',
    });
  });
  it('falls back to nothing on an older server', () => {
    expect(stopHoldings({ id: 1 })).toEqual({ cylinders: [], deposit_total: undefined });
    expect(stopHoldings({ cylinders: 'x', deposit_total: null })).toEqual({ cylinders: [], deposit_total: undefined });
  });
});
