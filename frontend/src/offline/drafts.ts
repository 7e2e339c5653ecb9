import { db, kvGet, kvSet, type OutboxEvent, type OutboxEventOf } from '../lib/db';
import { dismissRejected } from './outbox';

// A rejected distribution or delivery is not lost: the driver reopens it as
// an editable draft with its lines and the server's reason next to each line.
// The rejected event is kept in history (status "dismissed"); confirming the
// draft records a new event with a new id.

export const DISTRIBUTION_DRAFT_KEY = 'draft.distribution';
export const DELIVERY_DRAFT_KEY = 'draft.delivery';

export interface Shortage {
  location?: number;
  location_name?: string;
  cylinder_type: number;
  cylinder_type_name?: string;
  state: string; // FULL | EMPTY
  available: number;
  requested: number;
}

export interface DraftOrigin {
  event_id: string;
  code?: string;
  detail?: string;
}

export interface DistributionDraftLine {
  key: string;
  depot: number;
  cylinder_type: number;
  movement_type: 'COLLECTION' | 'EMPTY_RETURN' | 'FULL_RETURN';
  quantity: number;
  serials?: string[];
  reason?: string;
}

export interface DeliveryDraft {
  customer: number;
  order: number | null;
  payment_method: string;
  lines: { cylinder_type: number; delivered_full: number; returned_empty: number; delivered_serials?: string[]; returned_serials?: string[]; reason?: string }[];
  origin: DraftOrigin;
  /** the rejected delivery's proof: the recipient, and its files (kept under origin.event_id) are offered again */
  recipient_name?: string;
  proof_files?: boolean;
}

const STATE_OF: Record<string, string> = { COLLECTION: 'FULL', FULL_RETURN: 'FULL', EMPTY_RETURN: 'EMPTY' };

export function shortagesOf(event: Pick<OutboxEvent, 'rejection'>): Shortage[] {
  const s = event.rejection?.shortages;
  return Array.isArray(s) ? (s as Shortage[]) : [];
}

const shortageText = (s: Shortage) => `${s.location_name ? `${s.location_name}: ` : ''}${s.state.toLowerCase()} available ${s.available}, requested ${s.requested}`;

/** The server's field errors for line `i` of `items`/`lines`, as one sentence. */
function fieldReason(event: Pick<OutboxEvent, 'rejection'>, listName: string, i: number): string | undefined {
  const fields = event.rejection?.fields as Record<string, unknown> | undefined;
  const list = fields?.[listName];
  // a list by position, or an object keyed by the position ({"lines": {"0": {...}}})
  const entry = Array.isArray(list) ? list[i] : list && typeof list === 'object' ? (list as Record<string, unknown>)[String(i)] : undefined;
  if (!entry || typeof entry !== 'object') return undefined;
  const parts = Object.entries(entry as Record<string, unknown>).map(([k, v]) => `${k}: ${flatten(v)}`);
  return parts.length ? parts.join('; ') : undefined;
}

/** A field error as one sentence: strings, lists, and nested objects (e.g. per serial). */
function flatten(v: unknown): string {
  if (Array.isArray(v)) return v.map(flatten).join(' ');
  if (v && typeof v === 'object') return Object.entries(v as Record<string, unknown>).map(([k, x]) => `${k}: ${flatten(x)}`).join('; ');
  return String(v);
}

/** The lines of a rejected distribution, each with what the server said about it. */
export function distributionDraftFrom(event: OutboxEventOf<'distribution.create'>): { lines: DistributionDraftLine[]; origin: DraftOrigin } {
  const items = event.payload.items;
  const shortages = shortagesOf(event);
  const lines = items.map((it, i) => {
    const mine = shortages.filter((s) => s.cylinder_type === it.cylinder_type && s.state === STATE_OF[it.movement_type]);
    const reason = [...mine.map(shortageText), fieldReason(event, 'items', i)].filter(Boolean).join('; ') || undefined;
    return { key: `r${i}-${event.id.slice(0, 8)}`, depot: it.depot, cylinder_type: it.cylinder_type, movement_type: it.movement_type, quantity: it.quantity, ...(it.serials?.length ? { serials: [...it.serials] } : {}), reason };
  });
  return { lines, origin: { event_id: event.id, code: event.code, detail: event.detail } };
}

export function deliveryDraftFrom(event: OutboxEventOf<'delivery.create'>): DeliveryDraft {
  const p = event.payload;
  const shortages = shortagesOf(event);
  return {
    customer: p.customer,
    order: p.order ?? null,
    payment_method: p.payment_method,
    lines: (p.lines ?? []).map((l, i) => {
      const mine = shortages.filter((s) => s.cylinder_type === l.cylinder_type);
      const reason = [...mine.map(shortageText), fieldReason(event, 'lines', i)].filter(Boolean).join('; ') || undefined;
      return {
        cylinder_type: l.cylinder_type,
        delivered_full: l.delivered_full ?? 0,
        returned_empty: l.returned_empty ?? 0,
        ...(l.delivered_serials?.length ? { delivered_serials: [...l.delivered_serials] } : {}),
        ...(l.returned_serials?.length ? { returned_serials: [...l.returned_serials] } : {}),
        reason,
      };
    }),
    origin: { event_id: event.id, code: event.code, detail: event.detail },
    ...(p.proof?.recipient_name ? { recipient_name: p.proof.recipient_name } : {}),
    ...(p.proof?.signature_sha256 || p.proof?.photo_sha256?.length ? { proof_files: true } : {}),
  };
}

/** Reopens a rejected event as the draft of its screen; the event is kept, dismissed. Returns the route to open. */
export async function reopenAsDraft(event: OutboxEvent): Promise<string> {
  if (event.status !== 'rejected') throw new Error('Only a rejected event can be reopened.');
  if (event.type === 'distribution.create') {
    const draft = distributionDraftFrom(event);
    await db.transaction('rw', db.kv, db.outbox, async () => {
      await kvSet(DISTRIBUTION_DRAFT_KEY, draft.lines);
      await kvSet(`${DISTRIBUTION_DRAFT_KEY}.origin`, draft.origin);
      await dismissRejected(event.seq!, true);
    });
    return '#/distribution';
  }
  const draft = deliveryDraftFrom(event);
  await db.transaction('rw', db.kv, db.outbox, async () => {
    await kvSet(DELIVERY_DRAFT_KEY, draft);
    await dismissRejected(event.seq!, true);
  });
  return '#/delivery?draft=1';
}

export const distributionDraftOrigin = () => kvGet<DraftOrigin>(`${DISTRIBUTION_DRAFT_KEY}.origin`);
