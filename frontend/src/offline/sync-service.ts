import { db, kvDelete, kvGet, kvSet, type OutboxEventOf, type ReceiptContext } from '../lib/db';
import type { EventPayloads, EventType } from '../api/types';
import { syncTransport } from './sync-transport';
import { CURRENT_USER_KEY, LAST_REPORT_KEY, syncEvents } from './sync-state';
import { getOrCreateDevice, signEvent } from './device-key';
import { DEVICE_REVOKED_KEY, enqueueEvent, replayOutbox, type ReplayReport } from './outbox';
import { pendingAttachmentCount, uploadPendingAttachments } from './attachments';

// When the outbox is replayed: at app start, on the browser's `online`
// event, when the app comes back to the foreground, every 30 s while events
// wait, right after a new event is recorded (when online), and on Sync now.
// After each replay, the proof-of-delivery files of applied deliveries are
// uploaded (offline/attachments.ts), so online deliveries take the same path.

export { LAST_REPORT_KEY, syncEvents };

let retryTimer: ReturnType<typeof setTimeout> | undefined;

export async function syncNow(): Promise<ReplayReport> {
  let report = await replayOutbox(syncTransport);
  if (await recoverUnknownDevice()) report = await replayOutbox(syncTransport);
  if (report.stopped !== 'network' && report.stopped !== 'auth' && report.stopped !== 'revoked') await uploadPendingAttachments().catch(() => undefined);
  await kvSet(LAST_REPORT_KEY, { ...report, at: Date.now() });
  syncEvents.dispatchEvent(new CustomEvent('synced', { detail: report }));
  // The server asked for a pause (429): one try when it is over, none before.
  if (report.stopped === 'throttled' && report.retryAt && !retryTimer) {
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      void syncNow().catch(() => undefined);
    }, Math.max(0, report.retryAt - Date.now()) + 250);
  }
  return report;
}

/**
 * The office revoked this phone's device: its key can never be registered
 * again. After the driver signs in again (the password proves it is them), the
 * phone makes a new key and signs that driver's queued events with it (same
 * id, time and payload, so each is still recorded at most once); the next
 * sync registers the new key and sends them. Returns how many were re-signed.
 */
export async function recoverRevokedDevice(user: string): Promise<number> {
  if ((await kvGet<string>(DEVICE_REVOKED_KEY)) !== user) return 0;
  await db.devices.delete(user);
  const device = await getOrCreateDevice(user);
  const queued = await db.outbox.where('status').equals('queued').filter((e) => !e.user || e.user === user).toArray();
  for (const e of queued) {
    const signature = await signEvent(device.private_key, { id: e.id, type: e.type, occurred_at: e.occurred_at, payload: e.payload });
    await db.outbox.update(e.seq!, { signature, user, last_error: undefined });
  }
  await kvDelete(DEVICE_REVOKED_KEY);
  return queued.length;
}

/**
 * The server no longer knows this phone's key (database restored, device
 * record removed): register the same key again and send those events once
 * more, unchanged. Done at most once per sync.
 */
async function recoverUnknownDevice(): Promise<boolean> {
  const user = await kvGet<string>(CURRENT_USER_KEY);
  if (!user) return false;
  const stuck = await db.outbox.where('status').equals('rejected').filter((e) => e.code === 'unknown_device' && (!e.user || e.user === user)).toArray();
  if (!stuck.length) return false;
  await db.devices.update(user, { device_id: undefined });
  await db.outbox.bulkUpdate(stuck.map((e) => ({ key: e.seq!, changes: { status: 'queued' as const, code: undefined, detail: undefined } })));
  return true;
}

/** Records a confirmed action: signed into the outbox first, then sent if online. */
export async function recordEvent<T extends EventType>(type: T, payload: EventPayloads[T], summary: ReceiptContext, occurredAt?: Date, id?: string): Promise<OutboxEventOf<T>> {
  const user = await kvGet<string>(CURRENT_USER_KEY);
  if (!user) throw new Error('Sign in first.');
  const device = await getOrCreateDevice(user);
  const event = await enqueueEvent({ type, payload, summary, privateKey: device.private_key, user, occurredAt, id });
  if (navigator.onLine) void syncNow().catch(() => undefined);
  return event;
}

export function startAutoSync(): () => void {
  const trigger = () => {
    if (navigator.onLine) void syncNow().catch(() => undefined);
  };
  const onVisible = () => {
    if (document.visibilityState === 'visible') trigger();
  };
  window.addEventListener('online', trigger);
  document.addEventListener('visibilitychange', onVisible);
  const timer = window.setInterval(async () => {
    if (navigator.onLine && ((await db.outbox.where('status').equals('queued').count()) > 0 || (await pendingAttachmentCount()) > 0)) trigger();
  }, 30_000);
  trigger();
  return () => {
    window.removeEventListener('online', trigger);
    document.removeEventListener('visibilitychange', onVisible);
    window.clearInterval(timer);
  };
}
