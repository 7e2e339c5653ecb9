import { db, kvDelete, kvGet, kvSet, type OutboxEvent, type OutboxEventOf, type ReceiptContext } from '../lib/db';
import { ApiError, AuthRequiredError, NetworkError } from '../lib/api-client';
import type { EventPayloads, EventType, SyncRequest, SyncResponse, WireEvent } from '../api/types';
import { signEvent } from './device-key';
import { DEVICE_REVOKED_KEY, LAST_SYNC_KEY, REVOKED_MESSAGE, THROTTLED_UNTIL_KEY } from './sync-state';

// The outbox: every confirmed action is written here first, signed, and only
// then sent to POST /api/sync/. Events are sent one at a time in the order
// they were recorded, so a 409/422 answer belongs to exactly one event.
//
// Rules (see outbox.test.ts):
//  - network error, 502/503/504, 401 after a refresh, other 4xx: keep the
//    event, stop (the server is unreachable: the next events would fail too)
//  - result "rejected", or HTTP 400/409/422: mark the event rejected with the
//    server's code, reason and details (shortages, fields), go on with the next
//  - HTTP 500 (this event breaks the server): tried once more at once; a
//    second 500 marks it rejected (code server_error, can be sent again) and
//    the replay goes on with the next event, so one bad event never stalls the
//    phone
//  - result "applied" / "duplicate": keep it as history with the result
//  - HTTP 429 (over the server's sync rate): keep the event, stop, and send
//    nothing before the Retry-After time has passed (the phone backs off
//    instead of hammering the server)
//  - the device was revoked (POST /api/devices/ answers 409
//    public_key_revoked, or the event comes back device_revoked): keep the
//    event queued, stop, and send nothing until the driver signs in again
//    (the phone then makes a new key and signs its queued events with it)
// Nothing is ever deleted by the replay.

export { LAST_SYNC_KEY, THROTTLED_UNTIL_KEY, DEVICE_REVOKED_KEY, REVOKED_MESSAGE };
/** Without a usable Retry-After, and the longest wait honoured. */
export const DEFAULT_RETRY_AFTER_S = 60;
export const MAX_RETRY_AFTER_S = 3600;

export interface SyncTransport {
  /** POST /api/sync/ (the API client already refreshed the token once on 401). */
  postSync(body: SyncRequest): Promise<Response>;
  /** The server's id for this device, registering it first if needed. */
  deviceId(): Promise<string>;
  /** The signed-in driver: only their events are sent (they carry their device's signature). */
  currentUser?(): Promise<string | undefined>;
}

export type { WireEvent } from '../api/types';

export type StopReason = 'network' | 'server' | 'auth' | 'client' | 'no-answer' | 'throttled' | 'revoked';

/** HTTP 500 answers in a row for one event before it is set aside as rejected. */
export const SERVER_ERROR_LIMIT = 2;

/** What the server said about a rejected event beyond code and detail (e.g. shortages, fields). */
function rejectionDetails(body: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (!body) return undefined;
  const rest = Object.fromEntries(Object.entries(body).filter(([k]) => !['id', 'status', 'code', 'detail', 'result'].includes(k)));
  return Object.keys(rest).length ? rest : undefined;
}

export interface ReplayReport {
  sent: number;
  applied: number;
  rejected: number;
  stopped?: StopReason;
  message?: string;
  /** throttled: when the server accepts events again (epoch ms). */
  retryAt?: number;
}

/** Seconds to wait from a Retry-After header (delta-seconds or an HTTP date), bounded. */
export function retryAfterSeconds(header: string | null, now = Date.now()): number {
  const value = header?.trim() ?? '';
  let seconds = /^\d+$/.test(value) ? Number(value) : value ? Math.ceil((Date.parse(value) - now) / 1000) : NaN;
  if (!Number.isFinite(seconds) || seconds < 0) seconds = DEFAULT_RETRY_AFTER_S;
  return Math.min(Math.max(seconds, 1), MAX_RETRY_AFTER_S);
}

export function newEventId(): string {
  return crypto.randomUUID();
}

export async function enqueueEvent<T extends EventType>(args: {
  type: T;
  payload: EventPayloads[T];
  summary: ReceiptContext;
  privateKey: CryptoKey;
  id?: string;
  occurredAt?: Date;
  user?: string;
}): Promise<OutboxEventOf<T>> {
  const id = args.id ?? newEventId();
  const occurred_at = (args.occurredAt ?? new Date()).toISOString();
  const signature = await signEvent(args.privateKey, { id, type: args.type, occurred_at, payload: args.payload });
  const event: OutboxEventOf<T> = {
    id,
    type: args.type,
    occurred_at,
    payload: args.payload,
    signature,
    status: 'queued',
    created_at: Date.now(),
    attempts: 0,
    summary: args.summary,
    user: args.user,
  };
  event.seq = await db.outbox.add(event as OutboxEvent);
  return event;
}

export function toWire(e: OutboxEvent): WireEvent {
  return { id: e.id, type: e.type, occurred_at: e.occurred_at, payload: e.payload, signature: e.signature };
}

/** Why nothing may be sent now (revoked device, server's back-off), without asking the network. */
async function paused(user: string | undefined, now = Date.now()): Promise<Pick<ReplayReport, 'stopped' | 'message' | 'retryAt'> | undefined> {
  const revoked = await kvGet<string>(DEVICE_REVOKED_KEY);
  if (revoked && (!user || revoked === user)) return { stopped: 'revoked', message: REVOKED_MESSAGE };
  const until = (await kvGet<number>(THROTTLED_UNTIL_KEY)) ?? 0;
  if (until > now) return { stopped: 'throttled', retryAt: until, message: throttledMessage(until, now) };
  return undefined;
}

const throttledMessage = (until: number, now = Date.now()) => `The server asked the phone to slow down; sending again in ${Math.max(1, Math.ceil((until - now) / 1000))} s.`;

/** The device was revoked: remember it for this driver (the queued events stay as they are). */
export async function markDeviceRevoked(user: string | undefined): Promise<void> {
  if (user) await kvSet(DEVICE_REVOKED_KEY, user);
}

export async function clearThrottle(): Promise<void> {
  await kvDelete(THROTTLED_UNTIL_KEY);
}

async function nextQueued(user: string | undefined): Promise<OutboxEvent | undefined> {
  const queued = await db.outbox.where('status').equals('queued').sortBy('seq');
  // Another driver's events wait for that driver to sign in on this phone.
  return queued.find((e) => !e.user || !user || e.user === user);
}

async function readJson(res: Response): Promise<Record<string, unknown>> {
  try {
    const data: unknown = await res.json();
    return data && typeof data === 'object' ? (data as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

let running: Promise<ReplayReport> | null = null;

/** Sends every queued event in order; one replay at a time (later callers share it). */
export function replayOutbox(transport: SyncTransport): Promise<ReplayReport> {
  if (!running) {
    running = doReplay(transport).finally(() => {
      running = null;
    });
  }
  return running;
}

async function doReplay(transport: SyncTransport): Promise<ReplayReport> {
  const report: ReplayReport = { sent: 0, applied: 0, rejected: 0 };
  const stop = async (event: OutboxEvent, reason: StopReason, message: string) => {
    await db.outbox.update(event.seq!, { last_error: message });
    report.stopped = reason;
    report.message = message;
    return report;
  };

  const user = await transport.currentUser?.();
  const pause = await paused(user);
  if (pause) return { ...report, ...pause };
  for (;;) {
    const event = await nextQueued(user);
    if (!event) break;
    await db.outbox.update(event.seq!, { attempts: event.attempts + 1, last_attempt_at: Date.now() });
    report.sent++;

    let res: Response;
    try {
      const device = await transport.deviceId();
      res = await transport.postSync({ device, events: [toWire(event)] });
    } catch (e) {
      if (e instanceof AuthRequiredError) return stop(event, 'auth', 'Sign in again to send queued events.');
      if (e instanceof ApiError && e.code === 'public_key_revoked') {
        await markDeviceRevoked(user ?? event.user);
        report.sent--;
        return stop(event, 'revoked', REVOKED_MESSAGE);
      }
      if (e instanceof NetworkError || e instanceof TypeError) return stop(event, 'network', 'No connection; will retry.');
      return stop(event, 'network', `${(e as Error)?.message || 'Could not reach the server'}; will retry.`);
    }

    if (res.status === 500) {
      const errors = (event.server_errors ?? 0) + 1;
      if (errors < SERVER_ERROR_LIMIT) {
        await db.outbox.update(event.seq!, { server_errors: errors, last_error: 'Server error (HTTP 500); trying again.' });
        report.sent--;
        continue; // the same event again, at once
      }
      const body = await readJson(res);
      await db.outbox.update(event.seq!, {
        status: 'rejected',
        code: 'server_error',
        detail: `The server failed on this event (HTTP 500${typeof body.request_id === 'string' ? `, request ${body.request_id}` : ''}). Nothing was recorded; the events after it were sent.`,
        server_errors: 0,
        last_error: undefined,
        synced_at: Date.now(),
      });
      report.rejected++;
      continue;
    }
    if (res.status >= 500) return stop(event, 'server', `Server unavailable (HTTP ${res.status}); will retry.`);
    if (res.status === 429) {
      const until = Date.now() + retryAfterSeconds(res.headers.get('Retry-After')) * 1000;
      await kvSet(THROTTLED_UNTIL_KEY, until);
      report.sent--;
      report.retryAt = until;
      return stop(event, 'throttled', throttledMessage(until));
    }
    if (res.status === 401) return stop(event, 'auth', 'Sign in again to send queued events.');
    if (res.status === 400 || res.status === 409 || res.status === 422) {
      const body = await readJson(res);
      await db.outbox.update(event.seq!, {
        status: 'rejected',
        code: str(body.code) ?? `http_${res.status}`,
        detail: str(body.detail) ?? `Refused by the server (HTTP ${res.status})`,
        rejection: rejectionDetails(body),
        server_errors: 0,
        last_error: undefined,
        synced_at: Date.now(),
      });
      report.rejected++;
      continue;
    }
    if (!res.ok) {
      const body = await readJson(res);
      return stop(event, 'client', str(body.detail) ?? `The server refused the request (HTTP ${res.status}); will retry.`);
    }

    const body = (await readJson(res)) as Partial<SyncResponse>;
    const results = Array.isArray(body.results) ? body.results : [];
    const mine = results.find((r) => r && r.id === event.id) ?? (results.length === 1 ? results[0] : undefined);
    const status = mine?.status;
    if (status === 'rejected' && mine?.code === 'device_revoked') {
      // Not this event's fault: it waits, queued, for the driver's new key.
      await markDeviceRevoked(user ?? event.user);
      report.sent--;
      return stop(event, 'revoked', REVOKED_MESSAGE);
    }
    if (status === 'applied' || status === 'duplicate') {
      await db.outbox.update(event.seq!, {
        status,
        result: mine?.result ?? event.result,
        server_errors: 0,
        last_error: undefined,
        synced_at: Date.now(),
      });
      report.applied++;
      await kvSet(LAST_SYNC_KEY, Date.now());
    } else if (status === 'rejected') {
      await db.outbox.update(event.seq!, {
        status: 'rejected',
        code: str(mine?.code) ?? 'rejected',
        detail: str(mine?.detail) ?? 'Refused by the server.',
        rejection: rejectionDetails(mine as Record<string, unknown> | undefined),
        server_errors: 0,
        last_error: undefined,
        synced_at: Date.now(),
      });
      report.rejected++;
      await kvSet(LAST_SYNC_KEY, Date.now());
    } else {
      return stop(event, 'no-answer', 'The server did not answer for this event; will retry.');
    }
  }
  return report;
}

/** A rejected event the driver chose to send again (same id, same signature). */
export async function requeueRejected(seq: number): Promise<void> {
  await db.outbox.update(seq, { status: 'queued', code: undefined, detail: undefined, rejection: undefined, server_errors: 0 });
}

/** A rejected event the driver sets aside: never sent again, kept in history with its reason. */
export async function dismissRejected(seq: number, reopened = false): Promise<void> {
  const now = Date.now();
  await db.outbox.update(seq, { status: 'dismissed', dismissed_at: now, ...(reopened ? { reopened_at: now } : {}) });
}

export async function outboxCounts(): Promise<{ queued: number; rejected: number }> {
  const [queued, rejected] = await Promise.all([
    db.outbox.where('status').equals('queued').count(),
    db.outbox.where('status').equals('rejected').count(),
  ]);
  return { queued, rejected };
}
