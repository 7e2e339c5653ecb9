import { db, type DeviceRecord } from '../lib/db';
import { canonicalBytes } from './canonical-json';

// The device's signing key: ECDSA P-256, generated here, private half not
// extractable, stored as a CryptoKey in IndexedDB (structured clone keeps it
// usable and still not extractable). The server gets the public JWK.

const ALG = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGN = { name: 'ECDSA', hash: 'SHA-256' } as const;

export async function generateDeviceKey(): Promise<{ privateKey: CryptoKey; publicJwk: JsonWebKey }> {
  const pair = await crypto.subtle.generateKey(ALG, false, ['sign', 'verify']);
  const jwk = await crypto.subtle.exportKey('jwk', pair.publicKey);
  // Only the public members the server needs.
  const publicJwk: JsonWebKey = { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y };
  return { privateKey: pair.privateKey, publicJwk };
}

export function bytesToBase64(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}

export function base64ToBytes(b64: string): Uint8Array {
  const s = atob(b64);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

export interface SignableEvent {
  id: string;
  type: string;
  occurred_at: string;
  payload: unknown;
}

/** The exact bytes the server verifies: canonical JSON of the four fields. */
export function signedBytes(event: SignableEvent): Uint8Array {
  return canonicalBytes({ id: event.id, type: event.type, occurred_at: event.occurred_at, payload: event.payload });
}

/** Raw r||s (64 bytes, WebCrypto's format), standard base64. */
export async function signEvent(privateKey: CryptoKey, event: SignableEvent): Promise<string> {
  const sig = await crypto.subtle.sign(SIGN, privateKey, signedBytes(event) as BufferSource);
  return bytesToBase64(new Uint8Array(sig));
}

export async function verifyEvent(publicJwk: JsonWebKey, event: SignableEvent, signature: string): Promise<boolean> {
  const key = await crypto.subtle.importKey('jwk', publicJwk, ALG, false, ['verify']);
  return crypto.subtle.verify(SIGN, key, base64ToBytes(signature) as BufferSource, signedBytes(event) as BufferSource);
}

export function defaultDeviceName(): string {
  const ua = typeof navigator !== 'undefined' ? navigator.userAgent : 'unknown';
  const platform = /Android/i.test(ua) ? 'Android' : /iPhone|iPad/i.test(ua) ? 'iOS' : /Linux/i.test(ua) ? 'Linux' : 'Device';
  return `${platform} phone ${new Date().toISOString().slice(0, 10)}`;
}

/** This user's device record on this phone, creating the key pair if needed. */
export async function getOrCreateDevice(user: string): Promise<DeviceRecord> {
  const existing = await db.devices.get(user);
  if (existing) return existing;
  const { privateKey, publicJwk } = await generateDeviceKey();
  const record: DeviceRecord = {
    user,
    name: defaultDeviceName(),
    private_key: privateKey,
    public_key_jwk: publicJwk,
    created_at: Date.now(),
  };
  await db.devices.put(record);
  return record;
}

export async function setDeviceId(user: string, deviceId: string): Promise<void> {
  await db.devices.update(user, { device_id: deviceId });
}
