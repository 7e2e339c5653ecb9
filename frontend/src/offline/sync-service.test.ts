import { beforeEach, describe, expect, it, vi } from 'vitest';
import { db, kvSet } from '../lib/db';
import type { WireEvent } from './outbox';

// The transport is replaced: a server that does not know the first device id.
const server = vi.hoisted(() => ({ known: new Set<string>(), registrations: 0, sent: [] as { device: string; id: string }[], throttle: 0 }));
vi.mock('./sync-transport', async () => {
  const { db: database, kvGet } = await import('../lib/db');
  const register = async (user: string) => {
    server.registrations++;
    const id = `dev-${server.registrations}`;
    server.known.add(id);
    await database.devices.update(user, { device_id: id });
    return id;
  };
  return {
    CURRENT_USER_KEY: 'session.user',
    registerDevice: register,
    syncTransport: {
      currentUser: () => kvGet<string>('session.user'),
      deviceId: async () => {
        const user = (await kvGet<string>('session.user'))!;
        return (await database.devices.get(user))?.device_id ?? register(user);
      },
      postSync: async (body: { device: string; events: WireEvent[] }) => {
        const e = body.events[0];
        server.sent.push({ device: body.device, id: e.id });
        if (server.throttle > 0) {
          server.throttle--;
          return new Response(JSON.stringify({ code: 'throttled', detail: 'Request was throttled.' }), { status: 429, headers: { 'Retry-After': '1' } });
        }
        const result = server.known.has(body.device)
          ? { id: e.id, status: 'applied', result: { number: 'DIST-1' } }
          : { id: e.id, status: 'rejected', code: 'unknown_device', detail: 'This device is not registered to the signed-in user.' };
        return new Response(JSON.stringify({ results: [result] }), { status: 200 });
      },
    },
  };
});

const { recordEvent, recoverRevokedDevice, syncNow } = await import('./sync-service');
const { DEVICE_REVOKED_KEY } = await import('./outbox');
const { verifyEvent } = await import('./device-key');

beforeEach(async () => {
  await Promise.all([db.outbox.clear(), db.kv.clear(), db.devices.clear()]);
  server.known.clear();
  server.registrations = 0;
  server.sent.length = 0;
  server.throttle = 0;
  vi.stubGlobal('navigator', { onLine: false });
});

describe('sync service', () => {
  it('records a signed event for the signed-in driver and waits while offline', async () => {
    await kvSet('session.user', 'driver1@example.com');
    const e = await recordEvent('distribution.create', { vehicle: 1, items: [] }, { driver: 'D', vehicle: 'V', lines: [], totals: [] });
    expect(e).toMatchObject({ status: 'queued', user: 'driver1@example.com' });
    expect(server.sent).toHaveLength(0);
    expect((await db.devices.get('driver1@example.com'))?.private_key.extractable).toBe(false);
  });

  it('an unknown device registers the same key again and the event goes through, once', async () => {
    await kvSet('session.user', 'driver1@example.com');
    const e = await recordEvent('distribution.create', { vehicle: 1, items: [] }, { driver: 'D', vehicle: 'V', lines: [], totals: [] });
    await db.devices.update('driver1@example.com', { device_id: 'forgotten-by-server' });
    const key = (await db.devices.get('driver1@example.com'))!.public_key_jwk;
    await syncNow();
    expect(server.sent).toEqual([
      { device: 'forgotten-by-server', id: e.id },
      { device: 'dev-1', id: e.id },
    ]);
    expect((await db.outbox.get(e.seq!))?.status).toBe('applied');
    expect((await db.devices.get('driver1@example.com'))?.public_key_jwk).toEqual(key);
  });

  it('after a 429 it sends once more when Retry-After has passed, not before', async () => {
    await kvSet('session.user', 'driver1@example.com');
    const e = await recordEvent('distribution.create', { vehicle: 1, items: [] }, { driver: 'D', vehicle: 'V', lines: [], totals: [] });
    server.throttle = 1;
    const report = await syncNow();
    expect(report.stopped).toBe('throttled');
    expect((await syncNow()).stopped).toBe('throttled'); // Sync now within the pause asks nothing
    expect(server.sent).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 1600));
    expect(server.sent).toHaveLength(2);
    expect((await db.outbox.get(e.seq!))?.status).toBe('applied');
  });

  it('a revoked device: signing in again makes a new key and signs the queued events with it', async () => {
    const user = 'driver1@example.com';
    await kvSet('session.user', user);
    const e = await recordEvent('distribution.create', { vehicle: 1, items: [] }, { driver: 'D', vehicle: 'V', lines: [], totals: [] });
    await db.devices.update(user, { device_id: 'dev-revoked' });
    const oldKey = (await db.devices.get(user))!.public_key_jwk;
    expect(await recoverRevokedDevice(user)).toBe(0); // not revoked: nothing changes
    await kvSet(DEVICE_REVOKED_KEY, user);
    expect((await syncNow()).stopped).toBe('revoked');
    expect(server.sent).toHaveLength(0);

    expect(await recoverRevokedDevice(user)).toBe(1);
    const device = (await db.devices.get(user))!;
    expect(device.device_id).toBeUndefined();
    expect(device.public_key_jwk).not.toEqual(oldKey);
    const resigned = (await db.outbox.get(e.seq!))!;
    expect([resigned.id, resigned.occurred_at, resigned.payload]).toEqual([e.id, e.occurred_at, e.payload]);
    expect(await verifyEvent(device.public_key_jwk, resigned, resigned.signature)).toBe(true);
    expect(await verifyEvent(oldKey, resigned, resigned.signature)).toBe(false);

    await syncNow();
    expect(server.sent).toEqual([{ device: 'dev-1', id: e.id }]);
    expect((await db.outbox.get(e.seq!))?.status).toBe('applied');
  });
});
