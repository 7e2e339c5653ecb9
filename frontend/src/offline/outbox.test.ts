import { beforeEach, describe, expect, it } from 'vitest';
import { db, kvGet, kvSet } from '../lib/db';
import { ApiClient, ApiError, type TokenStore, type Tokens } from '../lib/api-client';
import { generateDeviceKey, verifyEvent } from './device-key';
import {
  DEFAULT_RETRY_AFTER_S,
  DEVICE_REVOKED_KEY,
  dismissRejected,
  enqueueEvent,
  LAST_SYNC_KEY,
  MAX_RETRY_AFTER_S,
  REVOKED_MESSAGE,
  replayOutbox,
  requeueRejected,
  retryAfterSeconds,
  THROTTLED_UNTIL_KEY,
  type SyncTransport,
  type WireEvent,
} from './outbox';

const summary = { driver: 'D', vehicle: 'V', lines: [], totals: [] };
let key: { privateKey: CryptoKey; publicJwk: JsonWebKey };

beforeEach(async () => {
  await db.outbox.clear();
  await db.kv.clear();
  key ??= await generateDeviceKey();
});

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });

function transport(answer: (e: WireEvent, n: number) => Response | Promise<Response>) {
  const sent: WireEvent[] = [];
  const t: SyncTransport = {
    deviceId: async () => 'dev-1',
    postSync: async (body) => {
      expect(body.device).toBe('dev-1');
      expect(body.events).toHaveLength(1);
      sent.push(body.events[0]);
      return answer(body.events[0], sent.length);
    },
  };
  return { t, sent };
}

const applied = (e: WireEvent, number = `DIST-${e.id.slice(0, 4)}`) =>
  json(200, { results: [{ id: e.id, status: 'applied', result: { id: 1, number } }] });

const item = (quantity: number) => ({ depot: 1, cylinder_type: 1, movement_type: 'COLLECTION' as const, quantity });

async function enqueue(n: number) {
  const out = [];
  for (let i = 0; i < n; i++) {
    out.push(
      await enqueueEvent({ type: 'distribution.create', payload: { vehicle: 3, items: [item(i + 1)] }, summary, privateKey: key.privateKey }),
    );
  }
  return out;
}

const statuses = async () => (await db.outbox.orderBy('seq').toArray()).map((e) => e.status);

describe('outbox', () => {
  it('stores a signed event first, with increasing sequence numbers', async () => {
    const [a, b] = await enqueue(2);
    expect(b.seq!).toBeGreaterThan(a.seq!);
    expect(a.status).toBe('queued');
    expect(await verifyEvent(key.publicJwk, a, a.signature)).toBe(true);
    expect(await verifyEvent(key.publicJwk, { ...a, payload: { vehicle: 4, items: [] } }, a.signature)).toBe(false);
  });

  it('replays in the order recorded and keeps applied events as history', async () => {
    const events = await enqueue(3);
    const { t, sent } = transport((e) => applied(e));
    const report = await replayOutbox(t);
    expect(sent.map((e) => e.id)).toEqual(events.map((e) => e.id));
    expect(report).toMatchObject({ sent: 3, applied: 3, rejected: 0 });
    const stored = await db.outbox.orderBy('seq').toArray();
    expect(stored.map((e) => e.status)).toEqual(['applied', 'applied', 'applied']);
    expect(stored[0].result).toMatchObject({ number: `DIST-${events[0].id.slice(0, 4)}` });
    expect(await kvGet(LAST_SYNC_KEY)).toBeTypeOf('number');
  });

  it('sends exactly the signed fields', async () => {
    const [e] = await enqueue(1);
    const { t, sent } = transport((w) => applied(w));
    await replayOutbox(t);
    expect(Object.keys(sent[0]).sort()).toEqual(['id', 'occurred_at', 'payload', 'signature', 'type']);
    expect(sent[0].signature).toBe(e.signature);
  });

  it('a network error keeps the event and stops the replay', async () => {
    await enqueue(3);
    const { t, sent } = transport((e, n) => {
      if (n === 2) throw new TypeError('Failed to fetch');
      return applied(e);
    });
    const report = await replayOutbox(t);
    expect(report.stopped).toBe('network');
    expect(sent).toHaveLength(2);
    expect(await statuses()).toEqual(['applied', 'queued', 'queued']);
    const second = (await db.outbox.orderBy('seq').toArray())[1];
    expect(second.attempts).toBe(1);
    expect(second.last_error).toMatch(/retry/);
  });

  it('a 5xx keeps the event and stops; the next replay sends it again with the same id', async () => {
    const [first] = await enqueue(2);
    let fail = true;
    const { t, sent } = transport((e) => (fail ? json(503, {}) : applied(e)));
    expect((await replayOutbox(t)).stopped).toBe('server');
    expect(await statuses()).toEqual(['queued', 'queued']);
    fail = false;
    await replayOutbox(t);
    expect(sent.map((e) => e.id)).toEqual([first.id, first.id, sent[2].id]);
    expect(await statuses()).toEqual(['applied', 'applied']);
  });

  it('moves past an event the server fails on (HTTP 500 twice) and keeps sending the rest in order', async () => {
    const events = await enqueue(4);
    const poisoned = events[1].id;
    const { t, sent } = transport((e) => (e.id === poisoned ? json(500, { code: 'server_error', detail: 'boom', request_id: 'req-7f3a' }) : applied(e)));
    const report = await replayOutbox(t);
    expect(sent.map((e) => e.id)).toEqual([events[0].id, poisoned, poisoned, events[2].id, events[3].id]);
    expect(report).toMatchObject({ applied: 3, rejected: 1 });
    expect(report.stopped).toBeUndefined();
    expect(await statuses()).toEqual(['applied', 'rejected', 'applied', 'applied']);
    const bad = (await db.outbox.orderBy('seq').toArray())[1];
    expect(bad.code).toBe('server_error');
    expect(bad.detail).toMatch(/req-7f3a/);
    // sent again on the driver's request, and accepted once the server is fixed
    await requeueRejected(bad.seq!);
    const again = transport((e) => applied(e));
    await replayOutbox(again.t);
    expect(again.sent.map((e) => e.id)).toEqual([poisoned]);
    expect(await statuses()).toEqual(['applied', 'applied', 'applied', 'applied']);
  });

  it('a single HTTP 500 is retried at once and then applied', async () => {
    await enqueue(2);
    const { t, sent } = transport((e, n) => (n === 1 ? json(500, {}) : applied(e)));
    await replayOutbox(t);
    expect(sent).toHaveLength(3);
    expect(await statuses()).toEqual(['applied', 'applied']);
  });

  it('a rejection keeps the server details (shortages per line); a dismissed event is never sent again', async () => {
    await enqueue(2);
    const shortages = [{ location: 4, cylinder_type: 2, state: 'EMPTY', available: 4, requested: 999, location_name: 'XD1234A', cylinder_type_name: '12.7 kg' }];
    const { t, sent } = transport((e, n) =>
      n === 1 ? json(200, { results: [{ id: e.id, status: 'rejected', code: 'insufficient_stock', detail: 'Not enough stock.', shortages }] }) : applied(e),
    );
    await replayOutbox(t);
    const [first] = await db.outbox.orderBy('seq').toArray();
    expect(first).toMatchObject({ status: 'rejected', rejection: { shortages } });
    await dismissRejected(first.seq!, true);
    await replayOutbox(t);
    expect(sent).toHaveLength(2);
    const kept = await db.outbox.get(first.seq!);
    expect(kept).toMatchObject({ status: 'dismissed', code: 'insufficient_stock', detail: 'Not enough stock.' });
    expect(kept?.reopened_at).toBeTypeOf('number');
  });

  it('a per-event "rejected" result marks it rejected with the reason and goes on', async () => {
    await enqueue(3);
    const { t } = transport((e, n) =>
      n === 2
        ? json(200, { results: [{ id: e.id, status: 'rejected', code: 'insufficient_stock', detail: 'Van has 2 empties' }] })
        : applied(e),
    );
    const report = await replayOutbox(t);
    expect(report).toMatchObject({ applied: 2, rejected: 1 });
    const rejected = (await db.outbox.orderBy('seq').toArray())[1];
    expect(rejected).toMatchObject({ status: 'rejected', code: 'insufficient_stock', detail: 'Van has 2 empties' });
    expect(await statuses()).toEqual(['applied', 'rejected', 'applied']);
  });

  it.each([409, 422, 400])('HTTP %i marks the event rejected with the error body', async (status) => {
    await enqueue(2);
    const { t } = transport((e, n) => (n === 1 ? json(status, { code: 'idempotency_conflict', detail: 'Changed payload' }) : applied(e)));
    await replayOutbox(t);
    expect(await statuses()).toEqual(['rejected', 'applied']);
    expect((await db.outbox.orderBy('seq').first())?.code).toBe('idempotency_conflict');
  });

  it('"duplicate" removes the event from the queue like "applied"', async () => {
    await enqueue(1);
    const { t } = transport((e) => json(200, { results: [{ id: e.id, status: 'duplicate', result: { number: 'INV-2026-000001' } }] }));
    await replayOutbox(t);
    const [e] = await db.outbox.toArray();
    expect(e.status).toBe('duplicate');
    expect(e.result).toEqual({ number: 'INV-2026-000001' });
  });

  it('an answer without a result for the event keeps it and stops', async () => {
    await enqueue(2);
    const { t } = transport(() => json(200, { results: [] }));
    expect((await replayOutbox(t)).stopped).toBe('no-answer');
    expect(await statuses()).toEqual(['queued', 'queued']);
  });

  it('other 4xx (403) keep the event and stop', async () => {
    await enqueue(1);
    const { t } = transport(() => json(403, { code: 'permission_denied', detail: 'No.' }));
    expect((await replayOutbox(t)).stopped).toBe('client');
    expect(await statuses()).toEqual(['queued']);
  });

  it('a 429 keeps the event and sends nothing more before its Retry-After', async () => {
    await enqueue(2);
    let throttle = true;
    const { t, sent } = transport((e) =>
      throttle ? new Response(JSON.stringify({ code: 'throttled', detail: 'Request was throttled.' }), { status: 429, headers: { 'Retry-After': '120' } }) : applied(e),
    );
    const before = Date.now();
    const first = await replayOutbox(t);
    expect(first).toMatchObject({ stopped: 'throttled', sent: 0 });
    expect(first.retryAt! - before).toBeGreaterThanOrEqual(120_000);
    expect(first.retryAt! - Date.now()).toBeLessThanOrEqual(120_000);
    expect(await kvGet(THROTTLED_UNTIL_KEY)).toBe(first.retryAt);
    expect(await statuses()).toEqual(['queued', 'queued']);
    expect(sent).toHaveLength(1);

    throttle = false;
    const again = await replayOutbox(t); // within the pause: no request at all
    expect(again).toMatchObject({ stopped: 'throttled', sent: 0, retryAt: first.retryAt });
    expect(again.message).toMatch(/sending again in (119|120) s/);
    expect(sent).toHaveLength(1);

    await kvSet(THROTTLED_UNTIL_KEY, Date.now() - 1); // the pause is over
    const after = await replayOutbox(t);
    expect([after.applied, after.stopped]).toEqual([2, undefined]);
    expect(sent).toHaveLength(3);
  });

  it('reads Retry-After as seconds or an HTTP date, bounded, with a default', () => {
    const now = Date.parse('2026-01-19T08:00:00Z');
    expect(retryAfterSeconds('30', now)).toBe(30);
    expect(retryAfterSeconds('Mon, 19 Jan 2026 08:02:00 GMT', now)).toBe(120);
    expect(retryAfterSeconds(null, now)).toBe(DEFAULT_RETRY_AFTER_S);
    expect(retryAfterSeconds('soon', now)).toBe(DEFAULT_RETRY_AFTER_S);
    expect(retryAfterSeconds('0', now)).toBe(1); // never a tight loop
    expect(retryAfterSeconds('999999', now)).toBe(MAX_RETRY_AFTER_S);
  });

  it('a revoked device (409 public_key_revoked) keeps every event queued and stops asking', async () => {
    await enqueue(2);
    let registrations = 0;
    const { t, sent } = transport((e) => applied(e));
    const revoked: SyncTransport = {
      ...t,
      currentUser: async () => 'driver1@example.com',
      deviceId: async () => {
        registrations++;
        throw new ApiError(409, 'public_key_revoked', 'This public key belonged to a revoked device; the phone must make a new key.');
      },
    };
    const report = await replayOutbox(revoked);
    expect(report).toMatchObject({ stopped: 'revoked', sent: 0, message: REVOKED_MESSAGE });
    expect(await statuses()).toEqual(['queued', 'queued']);
    expect(await kvGet(DEVICE_REVOKED_KEY)).toBe('driver1@example.com');
    expect(await replayOutbox(revoked)).toMatchObject({ stopped: 'revoked', sent: 0 });
    expect(registrations).toBe(1); // no second registration attempt, no sync request
    expect(sent).toHaveLength(0);
    // another driver signed in on this phone is not held back
    expect((await replayOutbox({ ...t, currentUser: async () => 'driver2@example.com' })).stopped).toBeUndefined();
  });

  it('an event answered device_revoked stays queued (not rejected) and the replay stops', async () => {
    await enqueue(2);
    const { t, sent } = transport((e) => json(200, { results: [{ id: e.id, status: 'rejected', code: 'device_revoked', detail: 'This device was revoked.' }] }));
    const report = await replayOutbox({ ...t, currentUser: async () => 'driver1@example.com' });
    expect(report).toMatchObject({ stopped: 'revoked', rejected: 0 });
    expect(await statuses()).toEqual(['queued', 'queued']);
    expect(sent).toHaveLength(1);
    expect(await kvGet(DEVICE_REVOKED_KEY)).toBe('driver1@example.com');
  });

  it('concurrent triggers share one replay: nothing is sent twice', async () => {
    await enqueue(2);
    const { t, sent } = transport(async (e) => {
      await new Promise((r) => setTimeout(r, 5));
      return applied(e);
    });
    await Promise.all([replayOutbox(t), replayOutbox(t), replayOutbox(t)]);
    expect(sent).toHaveLength(2);
  });
});

describe('outbox through the API client (401 handling)', () => {
  function memoryStore(initial?: Tokens): TokenStore & { tokens?: Tokens } {
    const s: TokenStore & { tokens?: Tokens } = {
      tokens: initial,
      load: async () => s.tokens,
      save: async (t) => void (s.tokens = t),
      clear: async () => void (s.tokens = undefined),
    };
    return s;
  }

  it('a 401 refreshes the token (rotating the refresh token) and retries the event', async () => {
    await enqueue(1);
    const calls: string[] = [];
    const store = memoryStore({ access: 'old-access', refresh: 'refresh-1' });
    const fetchImpl = (async (url: string, init: RequestInit) => {
      const auth = (init.headers as Record<string, string>).Authorization;
      calls.push(`${url} ${auth ?? ''}`);
      if (url.endsWith('/api/auth/token/refresh/')) {
        expect(JSON.parse(init.body as string)).toEqual({ refresh: 'refresh-1' });
        return json(200, { access: 'new-access', refresh: 'refresh-2' });
      }
      if (auth === 'Bearer old-access') return json(401, { code: 'token_not_valid' });
      const body = JSON.parse(init.body as string);
      return json(200, { results: [{ id: body.events[0].id, status: 'applied', result: { number: 'DIST-1' } }] });
    }) as typeof fetch;
    const client = new ApiClient('', store, fetchImpl);
    const t: SyncTransport = {
      deviceId: async () => 'dev',
      postSync: (body) => client.request('/api/sync/', { body }),
    };
    await replayOutbox(t);
    expect(calls).toEqual(['/api/sync/ Bearer old-access', '/api/auth/token/refresh/ ', '/api/sync/ Bearer new-access']);
    expect(store.tokens).toEqual({ access: 'new-access', refresh: 'refresh-2' });
    expect(await statuses()).toEqual(['applied']);
  });

  it('a refused refresh keeps the event, stops, and signs the driver out', async () => {
    await enqueue(1);
    const store = memoryStore({ access: 'a', refresh: 'r' });
    const fetchImpl = (async () => json(401, { code: 'token_not_valid' })) as unknown as typeof fetch;
    const client = new ApiClient('', store, fetchImpl);
    const t: SyncTransport = { deviceId: async () => 'dev', postSync: (body) => client.request('/api/sync/', { body }) };
    expect((await replayOutbox(t)).stopped).toBe('auth');
    expect(await statuses()).toEqual(['queued']);
    expect(store.tokens).toBeUndefined();
  });

  it('parallel 401s share a single refresh (the old refresh token would be refused a second time)', async () => {
    let refreshes = 0;
    const store = memoryStore({ access: 'old', refresh: 'r1' });
    const fetchImpl = (async (url: string, init: RequestInit) => {
      if (url.endsWith('/refresh/')) {
        refreshes++;
        await new Promise((r) => setTimeout(r, 5));
        return json(200, { access: 'new', refresh: 'r2' });
      }
      const auth = (init.headers as Record<string, string>).Authorization;
      return auth === 'Bearer new' ? json(200, { ok: true }) : json(401, {});
    }) as typeof fetch;
    const client = new ApiClient('', store, fetchImpl);
    const results = await Promise.all([client.json('/api/me/'), client.json('/api/depots/'), client.json('/api/stock/')]);
    expect(results).toEqual([{ ok: true }, { ok: true }, { ok: true }]);
    expect(refreshes).toBe(1);
  });
});

describe('outbox and several drivers on one phone', () => {
  it("sends only the signed-in driver's events; the others wait in order", async () => {
    const a1 = await enqueueEvent({ type: 'distribution.create', payload: { vehicle: 3, items: [item(1)] }, summary, privateKey: key.privateKey, user: 'a@x' });
    const b1 = await enqueueEvent({ type: 'distribution.create', payload: { vehicle: 3, items: [item(2)] }, summary, privateKey: key.privateKey, user: 'b@x' });
    const a2 = await enqueueEvent({ type: 'distribution.create', payload: { vehicle: 3, items: [item(3)] }, summary, privateKey: key.privateKey, user: 'a@x' });
    const { t, sent } = transport((e) => applied(e));
    await replayOutbox({ ...t, currentUser: async () => 'a@x' });
    expect(sent.map((e) => e.id)).toEqual([a1.id, a2.id]);
    expect((await db.outbox.get(b1.seq!))?.status).toBe('queued');
    await replayOutbox({ ...t, currentUser: async () => 'b@x' });
    expect(sent.map((e) => e.id)).toEqual([a1.id, a2.id, b1.id]);
  });
});
