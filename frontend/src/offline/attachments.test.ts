import { beforeEach, describe, expect, it } from 'vitest';
import { db, type OutboxEvent } from '../lib/db';
import { NetworkError } from '../lib/api-client';
import { sha256Hex } from '../lib/hash';
import { attachmentKey, BACKOFF_MAX_MS, backoffMs, storeAttachments, uploadPendingAttachments, type AttachmentTransport, type NewAttachment } from './attachments';

const EVENT = '5c0d7a52-8d7f-4e55-9a57-6a7b2a0c9f13';

async function file(kind: 'SIGNATURE' | 'PHOTO', text: string): Promise<NewAttachment> {
  const bytes = new TextEncoder().encode(text).buffer as ArrayBuffer;
  return { kind, content_type: kind === 'SIGNATURE' ? 'image/png' : 'image/jpeg', sha256: await sha256Hex(bytes), bytes };
}

async function delivery(status: OutboxEvent['status'], deliveryId = 4711, id = EVENT) {
  await db.outbox.add({
    id,
    type: 'delivery.create',
    occurred_at: '2026-12-02T08:15:30.000Z',
    payload: { customer: 7, vehicle: 3, payment_method: 'CASH', lines: [{ cylinder_type: 1, delivered_full: 1, returned_empty: 0 }] },
    signature: 's',
    status,
    created_at: 0,
    attempts: 0,
    summary: { driver: 'D', vehicle: 'V', lines: [], totals: [] },
    ...(status === 'applied' || status === 'duplicate' ? { result: { id: deliveryId } as never } : {}),
  } as OutboxEvent);
}

/** A fake server: answers per call; records what was PUT. */
function server(answer: (n: number) => Response | Promise<Response>) {
  const calls: { id: number; sha: string; type: string; body: string }[] = [];
  const t: AttachmentTransport = {
    put: async (id, sha, bytes, type) => {
      calls.push({ id, sha, type, body: new TextDecoder().decode(bytes) });
      return answer(calls.length);
    },
  };
  return { t, calls };
}
const status = (n: number) => new Response(JSON.stringify(n >= 400 ? { code: 'x', detail: 'no' } : {}), { status: n, headers: { 'Content-Type': 'application/json' } });

beforeEach(async () => {
  await db.outbox.clear();
  await db.attachments.clear();
});

describe('the proof upload queue', () => {
  it('stores a file once per delivery (dedupe) and keeps the bytes', async () => {
    const sig = await file('SIGNATURE', 'png-bytes');
    await storeAttachments(EVENT, [sig, sig]);
    await storeAttachments(EVENT, [sig]);
    const rows = await db.attachments.toArray();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ key: attachmentKey(EVENT, sig.sha256), status: 'pending', size: 9, attempts: 0 });
    expect(new TextDecoder().decode(rows[0].bytes)).toBe('png-bytes');
  });

  it('waits, without counting a try, while the delivery is not on the server', async () => {
    await storeAttachments(EVENT, [await file('PHOTO', 'jpeg')]);
    await delivery('queued');
    const { t, calls } = server(() => status(201));
    expect(await uploadPendingAttachments(t)).toMatchObject({ uploaded: 0, waiting: 1 });
    expect(calls).toHaveLength(0);
    expect((await db.attachments.toArray())[0].attempts).toBe(0);
  });

  it('uploads to the applied delivery by its id and hash, then never again', async () => {
    const sig = await file('SIGNATURE', 'sig');
    const photo = await file('PHOTO', 'photo-1');
    await storeAttachments(EVENT, [sig, photo]);
    await delivery('applied', 4711);
    const { t, calls } = server((n) => status(n === 1 ? 201 : 200));
    expect(await uploadPendingAttachments(t)).toMatchObject({ uploaded: 2, failed: 0 });
    expect(calls.map((c) => [c.id, c.sha, c.type, c.body])).toEqual([
      [4711, sig.sha256, 'image/png', 'sig'],
      [4711, photo.sha256, 'image/jpeg', 'photo-1'],
    ]);
    const rows = await db.attachments.toArray();
    expect(rows.every((r) => r.status === 'uploaded' && r.delivery_id === 4711)).toBe(true);
    await uploadPendingAttachments(t);
    expect(calls).toHaveLength(2);
  });

  it('a duplicate (already applied) delivery uploads the same way', async () => {
    await storeAttachments(EVENT, [await file('PHOTO', 'p')]);
    await delivery('duplicate', 12);
    const { t, calls } = server(() => status(200));
    await uploadPendingAttachments(t);
    expect(calls[0].id).toBe(12);
  });

  it('offline: kept, counted, the pass stops; retried after the back-off', async () => {
    await storeAttachments(EVENT, [await file('SIGNATURE', 'a'), await file('PHOTO', 'b')]);
    await delivery('applied');
    let clock = 1_000_000;
    const now = () => clock;
    let online = false;
    const calls: string[] = [];
    const t: AttachmentTransport = {
      put: async (_id, sha) => {
        calls.push(sha);
        if (!online) throw new NetworkError();
        return status(201);
      },
    };
    expect(await uploadPendingAttachments(t, now)).toMatchObject({ stopped: 'network', failed: 1 });
    expect(calls).toHaveLength(1); // the second file was not tried
    const first = (await db.attachments.toArray()).find((r) => r.attempts === 1)!;
    expect(first).toMatchObject({ status: 'pending', next_attempt_at: clock + 5_000, last_error: 'No connection; will retry.' });
    online = true;
    clock += 1_000; // before the back-off: the first waits, the second goes
    await uploadPendingAttachments(t, now);
    expect((await db.attachments.where('status').equals('uploaded').count())).toBe(1);
    clock += 5_000;
    await uploadPendingAttachments(t, now);
    expect(await db.attachments.where('status').equals('pending').count()).toBe(0);
  });

  it('refused by the server (4xx, 5xx): never dropped, retried later with a growing back-off', async () => {
    await storeAttachments(EVENT, [await file('PHOTO', 'too big')]);
    await delivery('applied');
    let clock = 0;
    const answers = [500, 400, 422, 503, 201];
    const { t, calls } = server((n) => status(answers[n - 1]));
    const waits: number[] = [];
    for (let i = 0; i < 4; i++) {
      await uploadPendingAttachments(t, () => clock);
      const row = (await db.attachments.toArray())[0];
      expect(row.status).toBe('pending');
      expect(row.attempts).toBe(i + 1);
      expect(row.last_error).toMatch(new RegExp(`HTTP ${answers[i]}`));
      waits.push(row.next_attempt_at - clock);
      clock = row.next_attempt_at;
    }
    expect(waits).toEqual([5_000, 10_000, 20_000, 40_000]);
    await uploadPendingAttachments(t, () => clock);
    const done = (await db.attachments.toArray())[0];
    expect(done).toMatchObject({ status: 'uploaded', attempts: 5 });
    expect(done.last_error).toBeUndefined();
    expect(calls).toHaveLength(5);
  });

  it('the back-off is capped at 15 minutes', () => {
    expect(backoffMs(0)).toBe(0);
    expect(backoffMs(1)).toBe(5_000);
    expect(backoffMs(9)).toBe(BACKOFF_MAX_MS);
    expect(backoffMs(500)).toBe(BACKOFF_MAX_MS);
  });

  it('one pass at a time: concurrent callers share it (no double upload)', async () => {
    await storeAttachments(EVENT, [await file('PHOTO', 'x')]);
    await delivery('applied');
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const { t, calls } = server(async () => {
      await gate;
      return status(201);
    });
    const a = uploadPendingAttachments(t);
    const b = uploadPendingAttachments(t);
    release();
    expect(await a).toBe(await b);
    expect(calls).toHaveLength(1);
  });

  it('a rejected delivery keeps its files (nothing is deleted)', async () => {
    await storeAttachments(EVENT, [await file('SIGNATURE', 's')]);
    await delivery('rejected');
    const { t, calls } = server(() => status(201));
    expect(await uploadPendingAttachments(t)).toMatchObject({ waiting: 1 });
    expect(calls).toHaveLength(0);
    expect(await db.attachments.count()).toBe(1);
  });
});
