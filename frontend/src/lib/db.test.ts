import Dexie from 'dexie';
import { describe, expect, it } from 'vitest';
import { AppDatabase } from './db';

// Version 2 adds the attachments table. A phone that had version 1 (with
// queued events) must open it with every row intact.
describe('IndexedDB schema migration', () => {
  it('v1 -> v2 keeps the outbox, kv, cache and devices, and adds attachments', async () => {
    const name = `lpg-driver-migration-${Math.random().toString(36).slice(2)}`;
    const v1 = new Dexie(name);
    v1.version(1).stores({ outbox: '++seq, &id, status, type, created_at', kv: 'key', cache: 'key', devices: 'user' });
    await v1.open();
    await v1.table('outbox').add({ id: 'e-1', type: 'delivery.create', status: 'queued', created_at: 7, payload: { customer: 7 }, signature: 'sig' });
    await v1.table('outbox').add({ id: 'e-2', type: 'distribution.create', status: 'applied', created_at: 14, payload: { vehicle: 3 }, signature: 'sig' });
    await v1.table('kv').put({ key: 'session.user', value: 'driver1@example.com' });
    await v1.table('cache').put({ key: 'my-day:1', data: { stops: [] }, fetched_at: 23 });
    v1.close();

    const db = new AppDatabase(name);
    await db.open();
    expect(db.verno).toBe(2);
    expect((await db.outbox.toArray()).map((e) => [e.seq, e.id, e.status])).toEqual([
      [1, 'e-1', 'queued'],
      [2, 'e-2', 'applied'],
    ]);
    expect(await db.outbox.where('status').equals('queued').count()).toBe(1);
    expect((await db.kv.get('session.user'))?.value).toBe('driver1@example.com');
    expect((await db.cache.get('my-day:1'))?.fetched_at).toBe(23);
    expect(await db.attachments.count()).toBe(0);
    await db.attachments.add({
      key: 'e-1:ab', event_id: 'e-1', sha256: 'ab', kind: 'PHOTO', content_type: 'image/jpeg', bytes: new ArrayBuffer(3), size: 3,
      status: 'pending', created_at: 1, attempts: 0, next_attempt_at: 0,
    });
    expect(await db.attachments.where('event_id').equals('e-1').count()).toBe(1);
    expect(await db.attachments.where('status').equals('pending').count()).toBe(1);
    // the next event still gets the next seq
    expect(await db.outbox.add({ id: 'e-3' } as never)).toBe(3);
    db.close();
    await Dexie.delete(name);
  });

  it('a fresh install opens straight at v2', async () => {
    const name = `lpg-driver-fresh-${Math.random().toString(36).slice(2)}`;
    const db = new AppDatabase(name);
    await db.open();
    expect(db.verno).toBe(2);
    expect(db.tables.map((t) => t.name).sort()).toEqual(['attachments', 'cache', 'devices', 'kv', 'outbox']);
    db.close();
    await Dexie.delete(name);
  });
});
