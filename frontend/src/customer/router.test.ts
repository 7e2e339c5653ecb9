import { describe, expect, it } from 'vitest';
import { hrefOf, parseRoute, type Route } from './router';

describe('customer routes', () => {
  it('parses every screen, unknown and malformed hashes go home', () => {
    expect(parseRoute('')).toEqual({ name: 'home' });
    expect(parseRoute('#/')).toEqual({ name: 'home' });
    expect(parseRoute('#/order')).toEqual({ name: 'order' });
    expect(parseRoute('#/orders/42')).toEqual({ name: 'order-detail', id: 42, placed: false });
    expect(parseRoute('#/orders/42?placed=1')).toEqual({ name: 'order-detail', id: 42, placed: true });
    expect(parseRoute('#/orders/abc')).toEqual({ name: 'home' });
    expect(parseRoute('#/orders/-3')).toEqual({ name: 'home' });
    expect(parseRoute('#/account')).toEqual({ name: 'account' });
    expect(parseRoute('#/nowhere')).toEqual({ name: 'home' });
  });

  it('reads the invite token of the e-mail link (URL-safe base64, kept as sent)', () => {
    expect(parseRoute('#/invite?token=Ab-_9xYz')).toEqual({ name: 'invite', token: 'Ab-_9xYz' });
    expect(parseRoute('#/invite')).toEqual({ name: 'invite', token: '' });
  });

  it('builds the hash a route parses back to', () => {
    const routes: Route[] = [
      { name: 'home' },
      { name: 'order' },
      { name: 'order-detail', id: 7, placed: true },
      { name: 'order-detail', id: 7, placed: false },
      { name: 'account' },
      { name: 'invite', token: 'a+b/c=' },
    ];
    for (const r of routes) expect(parseRoute(hrefOf(r))).toEqual(r);
  });
});
