import Dexie, { type EntityTable } from 'dexie';
import type { EventPayloads, EventResults, EventType, Invoice } from '../api/types';

export type { EventType } from '../api/types';

// The one IndexedDB database of the app. Bump the version and add a new
// `.version(n).stores(...)` block (never edit an old one) when the schema changes.

/**
 * queued   - waiting to be sent (or being sent)
 * rejected - the server refused it; shown to the driver with the reason
 * applied / duplicate - the server has it; kept as history with its result
 * dismissed - a rejected event the driver set aside (reopened as a draft or
 *             let go); never sent again, kept in history with its reason
 */
export type OutboxStatus = 'queued' | 'rejected' | 'applied' | 'duplicate' | 'dismissed';

interface OutboxEventBase {
  seq?: number; // auto-increment: the replay order
  id: string; // client UUID, also the idempotency key
  occurred_at: string;
  signature: string;
  status: OutboxStatus;
  created_at: number; // epoch ms
  attempts: number;
  last_attempt_at?: number;
  last_error?: string; // the last transient failure (network, 5xx...)
  code?: string; // server's rejection code
  detail?: string; // server's rejection sentence
  invoice?: Invoice; // GET /api/invoices/{id}/ of an applied delivery: the lines the receipt prints
  rejection?: Record<string, unknown>; // the server's details of a rejection: shortages, fields
  server_errors?: number; // HTTP 500 answers in a row for this event
  dismissed_at?: number;
  reopened_at?: number; // when the driver reopened it as a draft
  synced_at?: number;
  summary: ReceiptContext; // what the driver confirmed, for display and receipts
  user?: string; // e-mail of the driver who recorded it (events are signed with that driver's device key)
}

/** An event of one type: its payload is the request body of the online call it
 * replays, its result that call's 201 body (both from the generated schema). */
export type OutboxEventOf<T extends EventType> = OutboxEventBase & {
  type: T;
  payload: EventPayloads[T];
  result?: EventResults[T];
};

export type OutboxEvent = { [T in EventType]: OutboxEventOf<T> }[EventType];

/** What counting and display code needs of an event: its type, status and payload (still a union narrowed by `type`). */
export type EventSummary = { [T in EventType]: { type: T; status: OutboxStatus; payload: EventPayloads[T] } }[EventType];

/** Display names captured at confirmation time, so receipts print offline. */
export interface ReceiptContext {
  driver: string;
  vehicle: string;
  customer?: string;
  customer_address?: string;
  payment_method?: string;
  lines: { label: string; detail: string; amount?: string; serials?: string[] }[];
  totals: { label: string; value: string }[];
  /** Cylinder deposits of the tax invoice, apart from the GST base (issue 13). */
  deposits?: { label: string; detail: string; amount?: string }[];
  /** The recipient's name given at the door (proof of delivery). */
  received_by?: string;
  /** Deposits refunded for cylinders returned: a credit note apart from the invoice. */
  deposit_refund?: { number: string; total: string };
}

export interface KeyValue {
  key: string;
  value: unknown;
}

export interface CachedResponse {
  key: string; // request path
  data: unknown;
  fetched_at: number;
}

export interface DeviceRecord {
  user: string; // email of the user who registered it
  device_id?: string; // server UUID, once registered
  name: string;
  private_key: CryptoKey; // not extractable
  public_key_jwk: JsonWebKey;
  created_at: number;
}

/**
 * A proof-of-delivery file (signature PNG, photo JPEG) waiting to be uploaded,
 * or uploaded. Its SHA-256 is inside the delivery's signed event; the bytes go
 * up with PUT /api/deliveries/<id>/attachments/<sha256>/ once the server has
 * applied that event. Rows are never deleted by the app (an upload is retried
 * with back-off until the server has it).
 */
export type AttachmentKind = 'SIGNATURE' | 'PHOTO';
export type AttachmentStatus = 'pending' | 'uploaded';

export interface AttachmentRecord {
  key: string; // `${event_id}:${sha256}`: one row per file per delivery (dedupe)
  event_id: string; // the delivery.create event that declares it
  sha256: string; // lower-case hex
  kind: AttachmentKind;
  content_type: 'image/png' | 'image/jpeg';
  bytes: ArrayBuffer; // ArrayBuffer, not Blob: stored the same way by every browser's IndexedDB
  size: number;
  status: AttachmentStatus;
  created_at: number;
  attempts: number;
  next_attempt_at: number; // epoch ms; 0 = as soon as the delivery is on the server
  last_attempt_at?: number;
  last_error?: string;
  delivery_id?: number;
  uploaded_at?: number;
}

export class AppDatabase extends Dexie {
  outbox!: EntityTable<OutboxEvent, 'seq'>;
  attachments!: EntityTable<AttachmentRecord, 'key'>;
  kv!: EntityTable<KeyValue, 'key'>;
  cache!: EntityTable<CachedResponse, 'key'>;
  devices!: EntityTable<DeviceRecord, 'user'>;

  constructor(name = 'lpg-driver') {
    super(name);
    this.version(1).stores({
      outbox: '++seq, &id, status, type, created_at',
      kv: 'key',
      cache: 'key',
      devices: 'user',
    });
    // v2 (issue 13): proof-of-delivery files waiting for upload. Adds a table only:
    // the v1 tables and rows are kept as they are (db.test.ts opens a v1 database).
    this.version(2).stores({
      attachments: '&key, event_id, status, sha256',
    });
  }
}

export const db = new AppDatabase();

export async function kvGet<T>(key: string): Promise<T | undefined> {
  return (await db.kv.get(key))?.value as T | undefined;
}

export async function kvSet(key: string, value: unknown): Promise<void> {
  await db.kv.put({ key, value });
}

export async function kvDelete(key: string): Promise<void> {
  await db.kv.delete(key);
}
