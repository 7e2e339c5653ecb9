import { db, kvGet, kvSet, type EventType, type OutboxEvent, type ReceiptContext } from '../lib/db';
import { syncTransport, CURRENT_USER_KEY } from './sync-transport';
import { getOrCreateDevice } from './device-key';
import { enqueueEvent, replayOutbox, type ReplayReport } from './outbox';

// When the outbox is replayed: at app start, on the browser's `online`
// event, when the app comes back to the foreground, every 30 s while events
// wait, right after a new event is recorded (when online), and on Sync now.

export const LAST_REPORT_KEY = 'sync.last_report';
export const syncEvents = new EventTarget();

export async function syncNow(): Promise<ReplayReport> {
  let report = await replayOutbox(syncTransport);
  if (await recoverUnknownDevice()) report = await replayOutbox(syncTransport);
  await kvSet(LAST_REPORT_KEY, { ...report, at: Date.now() });
  syncEvents.dispatchEvent(new CustomEvent('synced', { detail: report }));
  return report;
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
export async function recordEvent(type: EventType, payload: Record<string, unknown>, summary: ReceiptContext, occurredAt?: Date, id?: string): Promise<OutboxEvent> {
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
    if (navigator.onLine && (await db.outbox.where('status').equals('queued').count()) > 0) trigger();
  }, 30_000);
  trigger();
  return () => {
    window.removeEventListener('online', trigger);
    document.removeEventListener('visibilitychange', onVisible);
    window.clearInterval(timer);
  };
}
