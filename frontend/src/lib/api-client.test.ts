import { describe, expect, it } from 'vitest';
import { ApiClient, ApiError, AuthRequiredError, NetworkError, expandPath, fetchAllPages, type TokenStore, type Tokens } from './api-client';

const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
function memoryStore(initial?: Tokens): TokenStore & { tokens?: Tokens } {
  const s: TokenStore & { tokens?: Tokens } = {
    tokens: initial,
    load: async () => s.tokens,
    save: async (t) => void (s.tokens = t),
    clear: async () => void (s.tokens = undefined),
  };
  return s;
}

describe('api client', () => {
  it('sends an Idempotency-Key on every POST outside /api/auth/, the same one on the retry after a refresh', async () => {
    const seen: { url: string; key?: string; auth?: string }[] = [];
    const fetchImpl = (async (url: string, init: RequestInit) => {
      const h = init.headers as Record<string, string>;
      seen.push({ url, key: h['Idempotency-Key'], auth: h.Authorization });
      if (url.endsWith('/refresh/')) return json(200, { access: 'new', refresh: 'r2' });
      if (h.Authorization === 'Bearer old') return json(401, {});
      return json(201, { id: 1 });
    }) as typeof fetch;
    const client = new ApiClient('', memoryStore({ access: 'old', refresh: 'r1' }), fetchImpl);
    await client.request('/api/sync/', { body: { device: 'd', events: [] } });
    await client.request('/api/devices/', { body: { name: 'n' } });
    await client.request('/api/deliveries/', { body: {}, headers: { 'Idempotency-Key': 'kept-as-given' } });
    await client.request('/api/me/');
    const [sync1, refresh, sync2, devices, deliveries, me] = seen;
    expect(sync1.key).toMatch(/^[0-9a-f-]{36}$/);
    expect(sync2).toMatchObject({ key: sync1.key, auth: 'Bearer new' }); // one logical request, one key
    expect(refresh.key).toBeUndefined();
    expect(devices.key).toMatch(/^[0-9a-f-]{36}$/);
    expect(devices.key).not.toBe(sync1.key);
    expect(deliveries.key).toBe('kept-as-given');
    expect(me.key).toBeUndefined();
  });

  it('fills templated paths and query strings of the schema', async () => {
    expect(expandPath('/api/invoices/{id}/', { id: 7 })).toBe('/api/invoices/7/');
    expect(() => expandPath('/api/invoices/{id}/')).toThrow(/no value for \{id\}/);
    const seen: string[] = [];
    const fetchImpl = (async (url: string) => {
      seen.push(url);
      return json(200, { id: 7 });
    }) as typeof fetch;
    const client = new ApiClient('', memoryStore({ access: 'a', refresh: 'r' }), fetchImpl);
    await client.get('/api/invoices/{id}/', { params: { id: 7 } });
    await client.get('/api/my-day/', { query: { date: '2026-01-19', driver: undefined } });
    expect(seen).toEqual(['/api/invoices/7/', '/api/my-day/?date=2026-01-19']);
  });

  it('follows next links of paginated lists', async () => {
    const seen: string[] = [];
    const fetchImpl = (async (url: string) => {
      seen.push(url);
      return url.includes('page=2') ? json(200, { count: 3, next: null, results: [{ id: 3 }] }) : json(200, { count: 3, next: 'http://testserver/api/depots/?page=2', results: [{ id: 1 }, { id: 2 }] });
    }) as typeof fetch;
    const client = new ApiClient('', memoryStore({ access: 'a', refresh: 'r' }), fetchImpl);
    expect(await fetchAllPages(client, '/api/depots/')).toEqual([{ id: 1 }, { id: 2 }, { id: 3 }]);
    expect(seen).toEqual(['/api/depots/', '/api/depots/?page=2']);
  });

  it('login stores both tokens; bad credentials give a clear error', async () => {
    const store = memoryStore();
    const fetchImpl = (async (_url: string, init: RequestInit) => {
      const body = JSON.parse(init.body as string);
      return body.password === 'demo1234' ? json(200, { access: 'A', refresh: 'R' }) : json(401, { code: 'authentication_failed', detail: 'No active account' });
    }) as typeof fetch;
    const client = new ApiClient('', store, fetchImpl);
    await expect(client.login('d@example.com', 'nope')).rejects.toMatchObject({ status: 401, message: 'Wrong e-mail or password.' });
    await client.login('d@example.com', 'demo1234');
    expect(store.tokens).toEqual({ access: 'A', refresh: 'R' });
  });

  it('turns the error contract into ApiError and network failures into NetworkError', async () => {
    let mode = 'error';
    const fetchImpl = (async () => {
      if (mode === 'offline') throw new TypeError('Failed to fetch');
      return json(409, { code: 'insufficient_stock', detail: 'Not enough fulls', fields: { items: ['x'] } });
    }) as unknown as typeof fetch;
    const client = new ApiClient('', memoryStore({ access: 'a', refresh: 'r' }), fetchImpl);
    const e = await client.json('/api/distributions/', { body: {} }).catch((x) => x);
    expect(e).toBeInstanceOf(ApiError);
    expect(e).toMatchObject({ status: 409, code: 'insufficient_stock', detail: 'Not enough fulls', fields: { items: ['x'] } });
    mode = 'offline';
    await expect(client.json('/api/me/')).rejects.toBeInstanceOf(NetworkError);
  });

  it('calls without a session ask for sign-in', async () => {
    const client = new ApiClient('', memoryStore(), (async () => json(200, {})) as unknown as typeof fetch);
    await expect(client.json('/api/me/')).rejects.toBeInstanceOf(AuthRequiredError);
  });

  it('logout sends the refresh token and forgets the session even offline', async () => {
    const store = memoryStore({ access: 'a', refresh: 'r' });
    const sent: unknown[] = [];
    const client = new ApiClient('', store, (async (url: string, init: RequestInit) => {
      sent.push([url, JSON.parse(init.body as string)]);
      throw new TypeError('offline');
    }) as typeof fetch);
    await client.logout();
    expect(sent).toEqual([['/api/auth/logout/', { refresh: 'r' }]]);
    expect(store.tokens).toBeUndefined();
  });

  it('turns server links into request paths under the API base', () => {
    const store = memoryStore();
    const noFetch = (async () => json(200, {})) as unknown as typeof fetch;
    expect(new ApiClient('', store, noFetch).pathOf('http://h/api/depots/?page=2')).toBe('/api/depots/?page=2');
    expect(new ApiClient('/backend', store, noFetch).pathOf('http://h/backend/api/depots/?page=2')).toBe('/api/depots/?page=2');
    expect(new ApiClient('https://ops.example.com/x', store, noFetch).pathOf('https://ops.example.com/x/api/customers/?page=3&search=a')).toBe('/api/customers/?page=3&search=a');
  });

  it('uses the configured API base', async () => {
    const urls: string[] = [];
    const client = new ApiClient('https://api.example.com', memoryStore({ access: 'a', refresh: 'r' }), (async (u: string) => {
      urls.push(u);
      return json(200, {});
    }) as typeof fetch);
    await client.json('/api/me/');
    expect(urls).toEqual(['https://api.example.com/api/me/']);
  });
});
