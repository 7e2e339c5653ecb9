import { sha256Hex } from '../../lib/hash';
import type { ProofInput } from '../../api/types';
import type { NewAttachment } from '../../offline/attachments';

// Proof of delivery as the driver gives it at the door: the recipient's name,
// a signature, up to 3 photos, the phone's position. The files' SHA-256 go
// into the delivery's signed payload (`proof`); the bytes are kept on the
// phone and uploaded once the server has the delivery.

export const MAX_PHOTOS = 3;
export const RECIPIENT_MAX = 100;

export interface Position {
  latitude: number;
  longitude: number;
  accuracy: number; // metres
}

export interface ProofDraft {
  recipient: string;
  signature?: Blob; // PNG
  photos: Blob[]; // JPEG, already resized
  position?: Position;
  /** set when the files were put back from a rejected delivery (remounts the signature pad) */
  restoredAt?: number;
}

export const emptyProof = (): ProofDraft => ({ recipient: '', photos: [] });

/** Decimal strings the server's DecimalFields take: 6 places for degrees, 1 for metres. */
export const degrees = (n: number) => n.toFixed(6);
export const metres = (n: number) => (Math.round(Math.min(Math.max(n, 0), 99999) * 10) / 10).toFixed(1);

export function hasProof(p: ProofDraft): boolean {
  return !!p.recipient.trim() || !!p.signature || p.photos.length > 0 || !!p.position;
}

/**
 * The payload's `proof` (undefined when nothing was given, so a delivery
 * without proof sends the same body as before) and the files to upload.
 */
export async function buildProof(p: ProofDraft): Promise<{ proof?: ProofInput; files: NewAttachment[] }> {
  if (!hasProof(p)) return { files: [] };
  const files: NewAttachment[] = [];
  let signature: string | null = null;
  if (p.signature) {
    const bytes = await p.signature.arrayBuffer();
    signature = await sha256Hex(bytes);
    files.push({ kind: 'SIGNATURE', content_type: 'image/png', sha256: signature, bytes });
  }
  const photos: string[] = [];
  for (const photo of p.photos.slice(0, MAX_PHOTOS)) {
    const bytes = await photo.arrayBuffer();
    const sha = await sha256Hex(bytes);
    if (photos.includes(sha)) continue; // the same picture twice counts once (the server wants them distinct)
    photos.push(sha);
    files.push({ kind: 'PHOTO', content_type: 'image/jpeg', sha256: sha, bytes });
  }
  const pos = p.position;
  return {
    proof: {
      recipient_name: p.recipient.trim().slice(0, RECIPIENT_MAX),
      signature_sha256: signature,
      photo_sha256: photos,
      latitude: pos ? degrees(pos.latitude) : null,
      longitude: pos ? degrees(pos.longitude) : null,
      accuracy_m: pos ? metres(pos.accuracy) : null,
    },
    files,
  };
}

/** The proof of a rejected delivery, put back into a reopened draft: its name and files (kept on the phone). */
export function proofFromFiles(recipient: string, files: { kind: 'SIGNATURE' | 'PHOTO'; content_type: string; bytes: ArrayBuffer }[], now = Date.now()): ProofDraft {
  const signature = files.find((f) => f.kind === 'SIGNATURE');
  return {
    recipient,
    signature: signature ? new Blob([signature.bytes], { type: signature.content_type }) : undefined,
    photos: files.filter((f) => f.kind === 'PHOTO').slice(0, MAX_PHOTOS).map((f) => new Blob([f.bytes], { type: f.content_type })),
    restoredAt: now,
  };
}

/** The phone's position, if it gives one within `timeoutMs`; never throws (the delivery never waits on it). */
export function currentPosition(timeoutMs = 15_000): Promise<Position | undefined> {
  return new Promise((resolve) => {
    if (typeof navigator === 'undefined' || !navigator.geolocation) return resolve(undefined);
    try {
      navigator.geolocation.getCurrentPosition(
        (p) => resolve({ latitude: p.coords.latitude, longitude: p.coords.longitude, accuracy: p.coords.accuracy }),
        () => resolve(undefined),
        { enableHighAccuracy: true, timeout: timeoutMs, maximumAge: 120_000 },
      );
    } catch {
      resolve(undefined);
    }
  });
}
