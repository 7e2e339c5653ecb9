import { useEffect, useState } from 'react';
import { useLiveQuery } from 'dexie-react-hooks';
import { db, kvGet } from '../../lib/db';
import type { ReplayReport } from '../../offline/outbox';
import { CURRENT_USER_KEY, DEVICE_REVOKED_KEY, LAST_REPORT_KEY, LAST_SYNC_KEY } from '../../offline/sync-state';

export function useOutboxCounts() {
  return (
    useLiveQuery(async () => ({
      queued: await db.outbox.where('status').equals('queued').count(),
      rejected: await db.outbox.where('status').equals('rejected').count(),
    })) ?? { queued: 0, rejected: 0 }
  );
}

/**
 * Proof-of-delivery files not yet on the server (all, or one delivery event's).
 * Files of a delivery set aside (dismissed: never recorded) are kept but not
 * counted: they can never be uploaded.
 */
export function usePendingUploads(eventId?: string) {
  return (
    useLiveQuery(async () => {
      const pending = eventId ? await db.attachments.where('event_id').equals(eventId).filter((a) => a.status === 'pending').toArray() : await db.attachments.where('status').equals('pending').toArray();
      if (!pending.length) return 0;
      const ids = [...new Set(pending.map((a) => a.event_id))];
      const dismissed = new Set((await db.outbox.where('id').anyOf(ids).toArray()).filter((e) => e.status === 'dismissed').map((e) => e.id));
      return pending.filter((a) => !dismissed.has(a.event_id)).length;
    }, [eventId]) ?? 0
  );
}

/** One delivery event's files with their upload state (no bytes). */
export function useEventAttachments(eventId: string) {
  return (
    useLiveQuery(
      async () =>
        (await db.attachments.where('event_id').equals(eventId).sortBy('created_at')).map(({ bytes: _bytes, ...meta }) => meta),
      [eventId],
    ) ?? []
  );
}

export function useOutbox() {
  return useLiveQuery(() => db.outbox.orderBy('seq').reverse().toArray()) ?? [];
}

export function useOutboxEvent(id: string) {
  return useLiveQuery(() => db.outbox.where('id').equals(id).first(), [id]);
}

/** The office revoked this phone's device for the signed-in driver: sending waits for a new sign-in. */
export function useDeviceRevoked(): boolean {
  return (
    useLiveQuery(async () => {
      const revoked = await kvGet<string>(DEVICE_REVOKED_KEY);
      return !!revoked && revoked === (await kvGet<string>(CURRENT_USER_KEY));
    }) ?? false
  );
}

export function useSyncStatus() {
  return useLiveQuery(async () => ({
    lastSuccess: await kvGet<number>(LAST_SYNC_KEY),
    lastReport: await kvGet<ReplayReport & { at: number }>(LAST_REPORT_KEY),
  }));
}

export function ago(ms: number, now = Date.now()): string {
  const s = Math.max(0, Math.round((now - ms) / 1000));
  if (s < 60) return `${s}s ago`;
  const m = Math.round(s / 60);
  if (m < 60) return `${m} min ago`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h ${m % 60} min ago`;
  return `${Math.floor(h / 24)} days ago`;
}

/** What the driver should do about a rejection, by the server's code. */
export function rejectionAdvice(code?: string): string {
  switch (code) {
    case 'insufficient_stock':
      return 'The stock on record does not allow this. Count the cylinders, then record the real quantities again, or call the depot supervisor.';
    case 'idempotency_conflict':
      return 'This reference was already used for different data. Record the action again as a new entry.';
    case 'invalid_movement':
      return 'This movement is not allowed here. Check the depot, customer and movement type, then record it again.';
    case 'invalid_signature':
    case 'unknown_device':
    case 'device_revoked':
      return 'This phone is not trusted by the server. Sign out, sign in again, and call the supervisor.';
    case 'invalid':
      return 'The server found a problem in the data (see the reason). Record the action again with the right details.';
    case 'event_in_future':
    case 'event_too_old':
    case 'stale_event':
    case 'clock_skew':
      return "The phone's clock looks wrong. Fix the date and time, then call the supervisor.";
    default:
      return 'Nothing was recorded on the server. The supervisor sees this too; correct it and record it again if needed.';
  }
}

/** Re-renders every `ms` so "5 min ago" stays true on a screen left open. */
export function useTick(ms = 15_000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = window.setInterval(() => setNow(Date.now()), ms);
    return () => window.clearInterval(t);
  }, [ms]);
  return now;
}
