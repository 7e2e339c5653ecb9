import { api, ApiError, AuthRequiredError, NetworkError } from '../lib/api-client';
import { db, type AttachmentKind, type AttachmentRecord, type OutboxEvent } from '../lib/db';

// Proof-of-delivery files (signature PNG, photos JPEG). Their SHA-256 is in
// the delivery's signed event (payload.proof); the bytes wait here, in
// IndexedDB, until the server has applied that event (the sync result gives
// the delivery id), then go up with
//   PUT /api/deliveries/<id>/attachments/<sha256>/  (201 first time, 200 same bytes again).
// Rules (see attachments.test.ts):
//  - one row per (event, sha256): storing the same file twice keeps one
//  - a delivery not (yet) applied: the file waits, no attempt is counted
//  - 200/201: uploaded (kept, with the delivery id)
//  - network error: kept, counted, and the pass stops (the next would fail too)
//  - any other answer (4xx, 5xx): kept, counted, retried later with a
//    back-off (5 s doubling, at most 15 min); never dropped
// Online deliveries take the same path: the event is sent at once, then its files.

export const BACKOFF_BASE_MS = 5_000;
export const BACKOFF_MAX_MS = 15 * 60_000;

export function backoffMs(attempts: number): number {
  if (attempts <= 0) return 0;
  return Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.min(attempts - 1, 20));
}

export interface NewAttachment {
  kind: AttachmentKind;
  content_type: 'image/png' | 'image/jpeg';
  sha256: string;
  bytes: ArrayBuffer;
}

export const attachmentKey = (eventId: string, sha256: string) => `${eventId}:${sha256}`;

/** Keeps the files of a delivery event (before or together with recording it). Idempotent. */
export async function storeAttachments(eventId: string, files: NewAttachment[], now = Date.now()): Promise<void> {
  await db.transaction('rw', db.attachments, async () => {
    for (const [i, f] of files.entries()) {
      const key = attachmentKey(eventId, f.sha256);
      if (await db.attachments.get(key)) continue; // dedupe: never reset an uploaded row
      await db.attachments.add({
        key,
        event_id: eventId,
        sha256: f.sha256,
        kind: f.kind,
        content_type: f.content_type,
        bytes: f.bytes,
        size: f.bytes.byteLength,
        status: 'pending',
        created_at: now + i, // keeps the order given (signature first, then the photos)
        attempts: 0,
        next_attempt_at: 0,
      });
    }
  });
}

export interface AttachmentTransport {
  put(deliveryId: number, sha256: string, bytes: ArrayBuffer, contentType: string): Promise<Response>;
}

export const attachmentTransport: AttachmentTransport = {
  put: (deliveryId, sha256, bytes, contentType) =>
    api.request(`/api/deliveries/${encodeURIComponent(String(deliveryId))}/attachments/${encodeURIComponent(sha256)}/`, {
      method: 'PUT',
      raw: bytes,
      headers: { 'Content-Type': contentType },
    }),
};

export interface UploadReport {
  uploaded: number;
  failed: number;
  waiting: number; // their delivery is not on the server yet
  stopped?: 'network' | 'auth';
}

/** The server's id of an applied delivery event, or undefined. */
export function deliveryIdOf(event: OutboxEvent | undefined): number | undefined {
  if (!event || event.type !== 'delivery.create') return undefined;
  if (event.status !== 'applied' && event.status !== 'duplicate') return undefined;
  const id = event.result?.id;
  return typeof id === 'number' ? id : undefined;
}

async function describe(res: Response): Promise<string> {
  try {
    const body = (await res.json()) as { code?: unknown; detail?: unknown };
    const code = typeof body.code === 'string' ? body.code : undefined;
    const detail = typeof body.detail === 'string' ? body.detail : undefined;
    return `HTTP ${res.status}${code ? ` ${code}` : ''}${detail ? `: ${detail}` : ''}`;
  } catch {
    return `HTTP ${res.status}`;
  }
}

let running: Promise<UploadReport> | null = null;

/** Uploads every pending file whose delivery is on the server and whose back-off is over; one pass at a time. */
export function uploadPendingAttachments(transport: AttachmentTransport = attachmentTransport, now = () => Date.now()): Promise<UploadReport> {
  if (!running) {
    running = doUpload(transport, now).finally(() => {
      running = null;
    });
  }
  return running;
}

async function doUpload(transport: AttachmentTransport, now: () => number): Promise<UploadReport> {
  const report: UploadReport = { uploaded: 0, failed: 0, waiting: 0 };
  const pending = (await db.attachments.where('status').equals('pending').toArray()).sort((a, b) => a.created_at - b.created_at);
  const events = new Map<string, OutboxEvent | undefined>();
  for (const row of pending) {
    if (!events.has(row.event_id)) events.set(row.event_id, await db.outbox.where('id').equals(row.event_id).first());
    const deliveryId = deliveryIdOf(events.get(row.event_id));
    if (deliveryId === undefined) {
      report.waiting++;
      continue;
    }
    if (row.next_attempt_at > now()) continue;
    const attempts = row.attempts + 1;
    const failed = async (message: string) => {
      await db.attachments.update(row.key, { attempts, last_attempt_at: now(), next_attempt_at: now() + backoffMs(attempts), last_error: message, delivery_id: deliveryId });
      report.failed++;
    };
    let res: Response;
    try {
      res = await transport.put(deliveryId, row.sha256, row.bytes, row.content_type);
    } catch (e) {
      if (e instanceof AuthRequiredError) {
        await failed('Sign in again to upload.');
        report.stopped = 'auth';
        return report;
      }
      if (e instanceof NetworkError || e instanceof TypeError) {
        await failed('No connection; will retry.');
        report.stopped = 'network';
        return report;
      }
      await failed(e instanceof ApiError ? e.detail : (e as Error)?.message || 'Upload failed; will retry.');
      continue;
    }
    if (res.status === 200 || res.status === 201) {
      await db.attachments.update(row.key, { status: 'uploaded', attempts, last_attempt_at: now(), uploaded_at: now(), last_error: undefined, delivery_id: deliveryId });
      report.uploaded++;
    } else {
      await failed(`${await describe(res)}; will retry.`);
    }
  }
  return report;
}

/** Files of one delivery event, oldest first. */
export function attachmentsOf(eventId: string): Promise<AttachmentRecord[]> {
  return db.attachments.where('event_id').equals(eventId).sortBy('created_at');
}

export function pendingAttachmentCount(): Promise<number> {
  return db.attachments.where('status').equals('pending').count();
}
