import { beforeEach, describe, expect, it } from 'vitest';
import { db, kvGet, type OutboxEventOf } from '../lib/db';
import { DELIVERY_DRAFT_KEY, DISTRIBUTION_DRAFT_KEY, distributionDraftFrom, reopenAsDraft } from './drafts';

const base: OutboxEventOf<'distribution.create'> = {
  id: '5d1e8c7a-0000-4000-8000-000000000001',
  type: 'distribution.create',
  occurred_at: '2026-01-19T01:00:00.000Z',
  payload: {
    vehicle: 3,
    items: [
      { depot: 1, cylinder_type: 2, quantity: 7, movement_type: 'COLLECTION' },
      { depot: 1, cylinder_type: 2, quantity: 999, movement_type: 'EMPTY_RETURN' },
      { depot: 1, cylinder_type: 5, quantity: 3, movement_type: 'FULL_RETURN' },
    ],
  },
  signature: 's',
  status: 'rejected',
  code: 'insufficient_stock',
  detail: 'Not enough stock. XD1234A: 12.7 kg empty available 4, requested 999.',
  rejection: {
    shortages: [{ location: 9, cylinder_type: 2, state: 'EMPTY', available: 4, requested: 999, location_name: 'XD1234A', cylinder_type_name: '12.7 kg' }],
    fields: { items: [{}, {}, { quantity: ['Too many.'] }] },
  },
  created_at: 0,
  attempts: 1,
  summary: { driver: 'D', vehicle: 'V', lines: [], totals: [] },
};

beforeEach(async () => {
  await db.outbox.clear();
  await db.kv.clear();
});

describe('a rejected event reopens as a draft', () => {
  it("puts the server's reason next to the line it is about", () => {
    const { lines, origin } = distributionDraftFrom(base);
    expect(lines.map((l) => [l.movement_type, l.quantity])).toEqual([
      ['COLLECTION', 7],
      ['EMPTY_RETURN', 999],
      ['FULL_RETURN', 3],
    ]);
    expect(lines[0].reason).toBeUndefined(); // the fulls were fine
    expect(lines[1].reason).toBe('XD1234A: empty available 4, requested 999');
    expect(lines[2].reason).toBe('quantity: Too many.');
    expect(origin).toEqual({ event_id: base.id, code: 'insufficient_stock', detail: base.detail });
  });

  it('stores the draft and keeps the event in history as dismissed', async () => {
    const seq = await db.outbox.add({ ...base });
    const route = await reopenAsDraft({ ...base, seq });
    expect(route).toBe('#/distribution');
    const draft = await kvGet<{ quantity: number }[]>(DISTRIBUTION_DRAFT_KEY);
    expect(draft?.map((l) => l.quantity)).toEqual([7, 999, 3]);
    const kept = await db.outbox.get(seq);
    expect(kept).toMatchObject({ status: 'dismissed', code: 'insufficient_stock' });
    expect(kept?.reopened_at).toBeTypeOf('number');
    await expect(reopenAsDraft(kept!)).rejects.toThrow(/Only a rejected/);
  });

  it('a delivery reopens with its customer, payment and lines', async () => {
    const delivery: OutboxEventOf<'delivery.create'> = {
      ...base,
      type: 'delivery.create',
      result: undefined,
      payload: { customer: 7, vehicle: 3, order: 12, payment_method: 'PAYNOW', lines: [{ cylinder_type: 2, delivered_full: 9, returned_empty: 2 }] },
      rejection: { shortages: [{ cylinder_type: 2, state: 'FULL', available: 5, requested: 9, location_name: 'XD1234A' }] },
    };
    const seq = await db.outbox.add(delivery);
    expect(await reopenAsDraft({ ...delivery, seq })).toBe('#/delivery?draft=1');
    expect(await kvGet(DELIVERY_DRAFT_KEY)).toMatchObject({
      customer: 7,
      order: 12,
      payment_method: 'PAYNOW',
      lines: [{ cylinder_type: 2, delivered_full: 9, returned_empty: 2, reason: 'XD1234A: full available 5, requested 9' }],
    });
  });
});

describe('a rejected delivery with serials and proof (issue 13)', () => {
  it('the draft keeps the serials, the reasons keyed by line ("0"), the recipient and the files', async () => {
    const { deliveryDraftFrom } = await import('./drafts');
    const { proofFromFiles } = await import('../features/delivery/proof');
    const event: OutboxEventOf<'delivery.create'> = {
      id: '5d1e8c7a-0000-4000-8000-000000000013',
      type: 'delivery.create',
      occurred_at: '2026-12-02T01:00:00.000Z',
      payload: {
        customer: 7,
        vehicle: 3,
        order: null,
        payment_method: 'CASH',
        lines: [{ cylinder_type: 9, delivered_full: 1, returned_empty: 1, delivered_serials: ['SG45-0007'], returned_serials: ['SG45-0031'] }],
        proof: { recipient_name: 'Mdm Lim', signature_sha256: 'a'.repeat(64), photo_sha256: [], latitude: null, longitude: null, accuracy_m: null },
      },
      signature: 's',
      status: 'rejected',
      code: 'serial_not_here',
      detail: 'A serial is not where the document moves it from.',
      rejection: { fields: { lines: { '0': { delivered_serials: { 'SG45-0007': ['not on XD1234A'] } } } } } as never,
      created_at: 0,
      attempts: 1,
      summary: { driver: 'D', vehicle: 'V', lines: [], totals: [] },
    };
    const draft = deliveryDraftFrom(event);
    expect(draft.lines[0]).toMatchObject({ delivered_serials: ['SG45-0007'], returned_serials: ['SG45-0031'], reason: 'delivered_serials: SG45-0007: not on XD1234A' });
    expect(draft).toMatchObject({ recipient_name: 'Mdm Lim', proof_files: true });
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47]).buffer;
    const jpg = new Uint8Array([0xff, 0xd8]).buffer;
    const back = proofFromFiles('Mdm Lim', [
      { kind: 'PHOTO', content_type: 'image/jpeg', bytes: jpg },
      { kind: 'SIGNATURE', content_type: 'image/png', bytes: png },
    ], 42);
    expect(back.recipient).toBe('Mdm Lim');
    expect(back.signature?.type).toBe('image/png');
    expect(back.photos.map((p) => p.size)).toEqual([2]);
    expect(back.restoredAt).toBe(42);
  });
});
